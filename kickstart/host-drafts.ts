/**
 * Builds the kickstart input (`HostDraft`) for one machine from what Striker knows: the machine
 * (role, host name, reserved BCN address), the Striker identity (domain, BCN subnet, DNS, NTP, its
 * own BCN address for URLs), the kickstart settings (root password hash, locale, tree and repos)
 * and the imported trees and synced repos. `buildHostDraft` is pure and lists every missing piece
 * as a problem; `loadHostDraft` gathers the facts from the database.
 */
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import type { DbReader, DbWriter } from '../striker/db/database.js';
import type { Problem } from '../striker/core/errors/index.js';
import { loadIdentity, type Identity } from '../striker/setup/index.js';
import { isHostAddress, parseCidr, parseIpv4 } from '../striker/core/net/ipv4.js';
import { getMachine, type Machine } from '../striker/machines/index.js';
import { kickstartInputSchema, type RepoRef } from './kickstart-input.js';
import { type CheckRepo } from './package-check.js';
import { type HostDraft } from './preboot-check.js';
import { listRepos, listTrees, type InstallationTree } from '../repo-sync/index.js';
import { hostIdOf } from './host-id.js';
import { loadKickstartSettings, type KickstartSettings } from './settings-store.js';

export interface HostFacts {
  machine: Machine;
  identity: Identity | undefined;
  settings: KickstartSettings;
  trees: readonly { name: string; tree: InstallationTree; importedAt: Date }[];
  repos: readonly { name: string; lastSyncedAt: Date | null }[];
}

/** Where this Striker is reached and keeps its content. */
export interface DraftPlace {
  /** `http.publicUrl`, when configured: used instead of the BCN address. */
  publicUrl?: string | undefined;
  httpPort: number;
  reposDir: string;
  treesDir: string;
}

export type HostDraftResult =
  | { ok: true; hostId: string; machine: Machine; draft: HostDraft; checkRepos: CheckRepo[]; fingerprint: string }
  | { ok: false; hostId: string; machine: Machine; problems: Problem[] };

function strikerUrlOf(place: DraftPlace, bcnAddress: string): string {
  if (place.publicUrl !== undefined) return place.publicUrl.replace(/\/+$/, '');
  return `http://${bcnAddress}${place.httpPort === 80 ? '' : `:${place.httpPort}`}`;
}

function chooseTree(facts: HostFacts, problems: Problem[]): HostFacts['trees'][number] | undefined {
  const wanted = facts.settings.treeName;
  if (wanted !== null) {
    const tree = facts.trees.find((t) => t.name === wanted);
    if (!tree) problems.push({ path: 'settings.tree', message: `installation tree ${wanted} has not been imported (striker repo import <iso>)` });
    return tree;
  }
  if (facts.trees.length === 0) problems.push({ path: 'settings.tree', message: 'no installation tree has been imported yet: import the OS media first (striker repo import <iso>)' });
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
  if (machine.role === null) problems.push({ path: 'machine.role', message: `is not set: assign striker, node or dr (striker machines set ${machine.mac} --role node)` });
  if (machine.hostname === null) problems.push({ path: 'machine.hostname', message: `is not set (striker machines set ${machine.mac} --hostname an-a01n01)` });
  if (machine.reservedIp === null) problems.push({ path: 'machine.reservedIp', message: `is not set: reserve a BCN address (striker machines set ${machine.mac} --ip 10.201.10.1)` });
  if (identity === undefined) problems.push({ path: 'identity', message: 'Striker has no identity yet: finish the first-run wizard (domain, networks, DNS, NTP)' });
  if (settings.rootPasswordHash === null) problems.push({ path: 'settings.rootPassword', message: 'is not set: an admin sets it with PUT /api/settings/kickstart {"rootPassword": …}' });
  const bcn = identity === undefined ? undefined : parseCidr(identity.networks.bcn.subnet);
  if (bcn !== undefined && machine.reservedIp !== null) {
    const ip = parseIpv4(machine.reservedIp);
    if (ip === undefined || !isHostAddress(bcn, ip)) problems.push({ path: 'machine.reservedIp', message: `must be a host address inside the BCN ${identity!.networks.bcn.subnet} — got '${machine.reservedIp}'` });
    else if (machine.reservedIp === identity!.networks.bcn.address) problems.push({ path: 'machine.reservedIp', message: `is the Striker's own BCN address ${machine.reservedIp}` });
  }
  const tree = chooseTree(facts, problems);
  const repoNames = chooseRepos(facts, problems);
  if (problems.length > 0 || identity === undefined || bcn === undefined || tree === undefined) return { ok: false, hostId, machine, problems };

  const strikerUrl = strikerUrlOf(place, identity.networks.bcn.address);
  const treeRepos = tree.tree.repos.map((r) => {
    const path = r.path.replace(/^\.?\/*|\/+$/g, '');
    return { name: r.id.toLowerCase(), url: `${strikerUrl}/trees/${tree.name}/${path === '' ? '' : `${path}/`}`, dir: join(place.treesDir, tree.name, path) };
  });
  const mirrored = repoNames.map((name) => ({ name, url: `${strikerUrl}/repos/${name}/`, dir: join(place.reposDir, name, 'current') }));
  const repos: RepoRef[] = [
    ...treeRepos.map((r) => ({ name: r.name, url: r.url, gpgcheck: false })),
    ...mirrored.map((r) => ({ name: r.name, url: r.url, gpgcheck: false, gpgKeyUrl: `${strikerUrl}/repos/RPM-GPG-KEY-striker` })),
  ];
  const draft: HostDraft = {
    role: machine.role!,
    host: {
      hostId,
      name: machine.hostname!,
      domain: identity.domain,
      bcn: { mac: machine.mac, ip: machine.reservedIp!, prefix: bcn.length, dns: identity.dns.slice(0, 3) },
    },
    locale: { timezone: settings.timezone, ntpServers: [...identity.ntp], keyboard: settings.keyboard, language: settings.language },
    tree: `${strikerUrl}/trees/${tree.name}/`,
    repos,
    rootPasswordHash: settings.rootPasswordHash!,
    strikerUrl,
  };
  // Whatever the sources hold, the draft must be a valid kickstart input: say which field is not.
  const parsed = kickstartInputSchema.safeParse({ ...draft, registration: { url: `${strikerUrl}/ks/${hostId}/register`, token: 'srt_'.padEnd(47, 'x') }, timelineUrl: `${strikerUrl}/ks/${hostId}/events` });
  if (!parsed.success) {
    return { ok: false, hostId, machine, problems: parsed.error.issues.map((i) => ({ path: `kickstart.${i.path.map(String).join('.')}`, message: i.message })) };
  }
  const checkRepos: CheckRepo[] = [...treeRepos, ...mirrored].map((r) => ({ id: r.name, url: `file://${r.dir}`, dir: r.dir }));
  const versions = { tree: [tree.name, tree.tree.snapshotId], repos: facts.repos.filter((r) => repoNames.includes(r.name)).map((r) => [r.name, r.lastSyncedAt?.toISOString() ?? null]) };
  const fingerprint = createHash('sha256').update(JSON.stringify({ draft, versions })).digest('hex');
  return { ok: true, hostId, machine, draft, checkRepos, fingerprint };
}

/** Reads the facts for one machine (NotFoundError when Striker does not know the MAC). */
export async function loadHostFacts(q: DbReader & DbWriter, mac: string): Promise<HostFacts> {
  const machine = await getMachine(q, mac);
  const [identity, settings, trees, repos] = await Promise.all([
    loadIdentity(q),
    loadKickstartSettings(q),
    listTrees(q),
    listRepos(q).then((rows) => rows.map((r) => ({ name: r.name, lastSyncedAt: r.lastSyncedAt }))),
  ]);
  return { machine, identity: identity?.identity, settings, trees, repos };
}

export async function loadHostDraft(q: DbReader & DbWriter, mac: string, place: DraftPlace): Promise<HostDraftResult> {
  return buildHostDraft(await loadHostFacts(q, mac), place);
}
