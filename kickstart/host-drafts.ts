/**
 * Builds the kickstart input (`HostDraft`) for one machine from what Striker knows: the machine
 * (role, host name, reserved BCN address), the Striker identity (domain, BCN subnet, DNS, NTP, its
 * own BCN address for URLs), the kickstart settings (root password hash, locale, tree and repos),
 * the imported trees (and the `RPM-GPG-KEY-*` files at their roots), the synced repos and the
 * Striker's SSH public key. `buildHostDraft` is pure and lists every missing piece as a problem;
 * `loadHostDraft` gathers the facts from the database and the data directory.
 *
 * Repo ids on the host: a tree's repos are `striker-<id>` (`striker-baseos`, `striker-appstream`),
 * a mirrored repo keeps a name that is `striker` or starts with `striker-` and is otherwise
 * `striker-<name>`; none can collide with the distribution's own ids. Tree repos are signed with
 * the tree's keys, mirrored repos with this Striker's (`/repos/RPM-GPG-KEY-striker`) and, when the repo
 * has one configured, its upstream's (`/repos/<name>/RPM-GPG-KEY-upstream`).
 */
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { DbReader, DbWriter } from '../striker/db/database.js';
import type { Problem } from '../striker/core/errors/index.js';
import { loadIdentity, type Identity } from '../striker/setup/index.js';
import { isHostAddress, parseCidr, parseIpv4 } from '../striker/core/net/ipv4.js';
import { getMachine, type Machine } from '../striker/machines/index.js';
import { kickstartInputSchema, type RepoRef } from './kickstart-input.js';
import { type CheckRepo } from './package-check.js';
import { previewInput, type HostDraft } from './preboot-check.js';
import { listRepos, listTrees, UPSTREAM_KEY_FILE, type InstallationTree } from '../repo-sync/index.js';
import { hostIdOf } from './host-id.js';
import { loadKickstartSettings, type KickstartSettings } from './settings-store.js';

export interface HostFacts {
  machine: Machine;
  identity: Identity | undefined;
  settings: KickstartSettings;
  trees: readonly { name: string; tree: InstallationTree; importedAt: Date; gpgKeyFiles?: readonly string[] }[];
  /** `upstreamKey`: the repo has its upstream's key configured (served at /repos/<name>/RPM-GPG-KEY-upstream). */
  repos: readonly { name: string; lastSyncedAt: Date | null; upstreamKey?: boolean }[];
  /** The Striker's SSH public key (one line), undefined until `striker serve` created it. */
  sshPublicKey?: string | undefined;
}

/** Where this Striker is reached and keeps its content. */
export interface DraftPlace {
  /** `http.publicUrl`, when configured: used instead of the BCN address. */
  publicUrl?: string | undefined;
  httpPort: number;
  reposDir: string;
  treesDir: string;
  /** The Striker's SSH public key file (ssh-key.ts), installed for root on every host. */
  sshPublicKeyFile?: string | undefined;
  /** sshd on installed hosts accepts root's password (default false: key only). */
  rootPasswordLogin?: boolean | undefined;
  /** The other Strikers' URLs, after this one in the agent's list (kickstart.otherStrikerUrls). */
  otherStrikerUrls?: readonly string[] | undefined;
}

/** Key files an imported tree carries at its root (`RPM-GPG-KEY-AlmaLinux-9`, `RPM-GPG-KEY-redhat-release`). */
const treeKeyPattern = /^RPM-GPG-KEY-[A-Za-z0-9._-]+$/;

/** The host-side repo id of a mirrored repo (see the header). */
function mirroredRepoId(name: string): string {
  return name === 'striker' || name.startsWith('striker-') ? name : `striker-${name}`;
}

export type HostDraftResult =
  | { ok: true; hostId: string; machine: Machine; draft: HostDraft; checkRepos: CheckRepo[]; fingerprint: string; installer: TreeInstaller }
  | { ok: false; hostId: string; machine: Machine; problems: Problem[] };

/** Where the installer boots from: the kickstart's tree (its URL, and kernel and initrd paths from its `.treeinfo`). */
export interface TreeInstaller {
  url: string;
  kernel: string;
  initrd: string;
}

function strikerUrlOf(place: DraftPlace, bcnAddress: string): string {
  if (place.publicUrl !== undefined) return place.publicUrl.replace(/\/+$/, '');
  return `http://${bcnAddress}${place.httpPort === 80 ? '' : `:${place.httpPort}`}`;
}

function chooseTree(facts: HostFacts, problems: Problem[]): HostFacts['trees'][number] | undefined {
  const wanted = facts.settings.treeName;
  if (wanted !== null) {
    const tree = facts.trees.find((t) => t.name === wanted);
    if (!tree) problems.push({ path: 'settings.tree', message: `installation tree ${wanted} has not been imported (Upload OS media on the Repos page; striker repo import <iso>)` });
    return tree;
  }
  if (facts.trees.length === 0) problems.push({ path: 'settings.tree', message: 'no installation tree has been imported yet: import the OS media first (Upload OS media on the Repos page; striker repo import <iso>)' });
  else if (facts.trees.length > 1) problems.push({ path: 'settings.tree', message: `several installation trees are imported (${facts.trees.map((t) => t.name).join(', ')}): choose one in the kickstart settings` });
  return facts.trees.length === 1 ? facts.trees[0] : undefined;
}

function chooseRepos(facts: HostFacts, problems: Problem[]): string[] {
  const wanted = facts.settings.repoNames;
  if (wanted === null) return facts.repos.filter((r) => r.lastSyncedAt !== null).map((r) => r.name);
  for (const name of wanted) {
    const repo = facts.repos.find((r) => r.name === name);
    if (!repo) problems.push({ path: 'settings.repos', message: `repo ${name} does not exist` });
    else if (repo.lastSyncedAt === null) problems.push({ path: 'settings.repos', message: `repo ${name} has not been synced yet (striker repo sync ${name})` });
  }
  return [...wanted];
}

/** The kickstart input for one machine, or every reason it cannot be built yet. Pure. */
export function buildHostDraft(facts: HostFacts, place: DraftPlace): HostDraftResult {
  const { machine, identity, settings } = facts;
  const hostId = hostIdOf(machine.mac);
  const problems: Problem[] = [];
  if (machine.role === null) problems.push({ path: 'machine.role', message: `is not set: assign striker, node or dr (Role on the machine's page; striker machines set ${machine.mac} --role node)` });
  if (machine.hostname === null) problems.push({ path: 'machine.hostname', message: `is not set (Host name on the machine's page; striker machines set ${machine.mac} --hostname an-a01n01)` });
  if (machine.reservedIp === null) problems.push({ path: 'machine.reservedIp', message: `is not set: reserve a BCN address (Reserved IP on the machine's page; striker machines set ${machine.mac} --ip 10.201.10.1)` });
  if (identity === undefined) problems.push({ path: 'identity', message: 'Striker has no identity yet: finish the first-run wizard (domain, networks, DNS, NTP)' });
  if (settings.rootPasswordHash === null) problems.push({ path: 'settings.rootPassword', message: 'is not set: an admin sets it under Settings → Kickstart (/settings/kickstart)' });
  const bcn = identity === undefined ? undefined : parseCidr(identity.networks.bcn.subnet);
  if (bcn !== undefined && machine.reservedIp !== null) {
    const ip = parseIpv4(machine.reservedIp);
    if (ip === undefined || !isHostAddress(bcn, ip)) problems.push({ path: 'machine.reservedIp', message: `must be a host address inside the BCN ${identity!.networks.bcn.subnet} — got '${machine.reservedIp}'` });
    else if (machine.reservedIp === identity!.networks.bcn.address) problems.push({ path: 'machine.reservedIp', message: `is the Striker's own BCN address ${machine.reservedIp}` });
  }
  if (facts.sshPublicKey === undefined) problems.push({ path: 'sshKey', message: "the Striker's SSH key has not been created yet: striker serve creates it when it starts" });
  const tree = chooseTree(facts, problems);
  const treeKeyFiles = (tree?.gpgKeyFiles ?? []).filter((f) => treeKeyPattern.test(f)).sort();
  if (tree !== undefined && treeKeyFiles.length === 0) {
    problems.push({ path: 'settings.tree', message: `installation tree ${tree.name} carries no RPM-GPG-KEY-* file at its root: its packages cannot be verified (import the distribution's own media)` });
  }
  const repoNames = chooseRepos(facts, problems);
  if (problems.length > 0 || identity === undefined || bcn === undefined || tree === undefined) return { ok: false, hostId, machine, problems };

  const strikerUrl = strikerUrlOf(place, identity.networks.bcn.address);
  const treeUrl = `${strikerUrl}/trees/${tree.name}/`;
  const treeKeys = treeKeyFiles.map((f) => `${treeUrl}${f}`);
  const treeRepos = tree.tree.repos.map((r) => {
    const path = r.path.replace(/^\.?\/*|\/+$/g, '');
    return { name: `striker-${r.id.toLowerCase()}`, url: `${treeUrl}${path === '' ? '' : `${path}/`}`, dir: join(place.treesDir, tree.name, path), keys: treeKeys };
  });
  const strikerKey = [`${strikerUrl}/repos/RPM-GPG-KEY-striker`];
  // A mirrored repo's packages are signed by Striker (its own packages) or by the upstream, whose key the repo may carry.
  const upstreamKeyed = new Set(facts.repos.filter((r) => r.upstreamKey === true).map((r) => r.name));
  const mirrored = repoNames.map((name) => ({
    name: mirroredRepoId(name), url: `${strikerUrl}/repos/${name}/`, dir: join(place.reposDir, name, 'current'),
    keys: upstreamKeyed.has(name) ? [...strikerKey, `${strikerUrl}/repos/${name}/${UPSTREAM_KEY_FILE}`] : strikerKey,
  }));
  const all = [...treeRepos, ...mirrored];
  for (const id of new Set(all.map((r) => r.name))) {
    if (all.filter((r) => r.name === id).length > 1) problems.push({ path: 'settings.repos', message: `two repos would both be ${id} on the host: rename the mirrored repo` });
  }
  if (problems.length > 0 || facts.sshPublicKey === undefined) return { ok: false, hostId, machine, problems };
  const repos: RepoRef[] = all.map((r) => ({ name: r.name, url: r.url, gpgKeyUrls: r.keys }));
  const draft: HostDraft = {
    role: machine.role!,
    host: {
      hostId,
      name: machine.hostname!,
      domain: identity.domain,
      bcn: { mac: machine.mac, ip: machine.reservedIp!, prefix: bcn.length, dns: identity.dns.slice(0, 3) },
    },
    locale: { timezone: settings.timezone, ntpServers: [...identity.ntp], keyboard: settings.keyboard, language: settings.language },
    tree: treeUrl,
    repos,
    rootPasswordHash: settings.rootPasswordHash!,
    rootSshKey: facts.sshPublicKey,
    ...(settings.rootSshKeys.length === 0 ? {} : { extraRootSshKeys: [...settings.rootSshKeys] }),
    rootPasswordLogin: place.rootPasswordLogin ?? false,
    ...(machine.installDisks === null ? {} : { disks: machine.installDisks }),
    strikerUrl,
    ...(place.otherStrikerUrls === undefined || place.otherStrikerUrls.length === 0 ? {} : { otherStrikerUrls: [...place.otherStrikerUrls] }),
  };
  // Whatever the sources hold, the draft must be a valid kickstart input: say which field is not.
  const parsed = kickstartInputSchema.safeParse(previewInput(draft));
  if (!parsed.success) {
    return { ok: false, hostId, machine, problems: parsed.error.issues.map((i) => ({ path: `kickstart.${i.path.map(String).join('.')}`, message: i.message })) };
  }
  const checkRepos: CheckRepo[] = all.map((r) => ({ id: r.name, url: `file://${r.dir}`, dir: r.dir }));
  const versions = { tree: [tree.name, tree.tree.snapshotId], repos: facts.repos.filter((r) => repoNames.includes(r.name)).map((r) => [r.name, r.lastSyncedAt?.toISOString() ?? null]) };
  const fingerprint = createHash('sha256').update(JSON.stringify({ draft, versions })).digest('hex');
  return { ok: true, hostId, machine, draft, checkRepos, fingerprint, installer: { url: treeUrl, kernel: tree.tree.kernel, initrd: tree.tree.initrd } };
}

/** Names in a tree's root directory; none when it cannot be read (the tree then has no keys: a problem). */
async function treeRootFiles(treesDir: string, name: string): Promise<string[]> {
  return readdir(join(treesDir, name)).catch(() => []);
}

/** The first line of the public key file; undefined when it does not exist yet. */
async function readPublicKey(file: string | undefined): Promise<string | undefined> {
  if (file === undefined) return undefined;
  const text = await readFile(file, 'utf8').catch(() => undefined);
  const line = text?.split('\n')[0]?.trim();
  return line === undefined || line === '' ? undefined : line;
}

/** The facts that are the same for every machine: all of HostFacts but the machine. */
export type SharedFacts = Omit<HostFacts, 'machine'>;

/** Reads the facts every machine's draft shares (four queries, the trees' root directories, the SSH public key). */
export async function loadSharedFacts(q: DbReader & DbWriter, place: DraftPlace): Promise<SharedFacts> {
  const [identity, settings, trees, repos, sshPublicKey] = await Promise.all([
    loadIdentity(q),
    loadKickstartSettings(q),
    listTrees(q).then((rows) => Promise.all(rows.map(async (t) => ({ ...t, gpgKeyFiles: await treeRootFiles(place.treesDir, t.name) })))),
    listRepos(q).then((rows) => rows.map((r) => ({ name: r.name, lastSyncedAt: r.lastSyncedAt, upstreamKey: r.config.gpgKey !== undefined }))),
    readPublicKey(place.sshPublicKeyFile),
  ]);
  return { identity: identity?.identity, settings, trees, repos, sshPublicKey };
}

/**
 * Reads the facts for one machine (NotFoundError when Striker does not know the MAC). `shared`
 * supplies the facts all machines share (a CoalescedLoad of loadSharedFacts under many concurrent
 * requests); without it they are read here.
 */
export async function loadHostFacts(q: DbReader & DbWriter, mac: string, place: DraftPlace, shared?: () => Promise<SharedFacts>): Promise<HostFacts> {
  const [machine, facts] = await Promise.all([getMachine(q, mac), shared?.() ?? loadSharedFacts(q, place)]);
  return { machine, ...facts };
}

export async function loadHostDraft(q: DbReader & DbWriter, mac: string, place: DraftPlace, shared?: () => Promise<SharedFacts>): Promise<HostDraftResult> {
  return buildHostDraft(await loadHostFacts(q, mac, place, shared), place);
}
