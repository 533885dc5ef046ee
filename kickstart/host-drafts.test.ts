import { describe, expect, it } from 'vitest';
import { renderKickstart } from './index.js';
import type { InstallationTree } from '../repo-sync/index.js';
import { sampleIdentity } from '../striker/setup/sample-identity.js';
import { statusOf, type StoredCheck } from './check-store.js';
import { buildHostDraft, loadHostFacts, type DraftPlace, type HostFacts } from './host-drafts.js';
import { CoalescedLoad } from './coalesced-load.js';
import { hostIdOf, macOfHostId } from './host-id.js';
import { testSshKey } from '../test/fixtures/kickstart/sample-input.js';

const hash = '$6$8SaltSalt$t1M4z4IlaHqxCCyUzaolCnuehdJB0iuDEjwnlcUZL2/UhxRy7kq4vANo9CIJLTjEHMXTUOVD1CGXew.iyacZn1';
const place: DraftPlace = { httpPort: 8080, reposDir: '/var/repos', treesDir: '/var/trees' };
const tree = (name: string, path = 'BaseOS'): HostFacts['trees'][number] => ({
  name,
  importedAt: new Date(0),
  tree: { kind: 'installation-tree', name, snapshotId: 's1', family: 'AlmaLinux', version: '9', arch: 'x86_64', kernel: 'k', initrd: 'i', efiLoaders: [], repos: [{ id: 'BaseOS', path, packageCount: 1 }], bytes: 1 } satisfies InstallationTree,
  gpgKeyFiles: ['EULA', 'RPM-GPG-KEY-AlmaLinux-9', '.treeinfo'],
});

function facts(over: Partial<HostFacts> = {}): HostFacts {
  return {
    machine: { id: 'm1', mac: '52:54:00:0a:01:01', hostname: 'an-a01n01', role: 'node', state: 'assigned', reservedIp: '10.201.10.1', reservedIpConfirmed: true, vendor: null, firmware: null, firstSeenAt: null, lastSeenAt: null, installDisks: null, installError: null, installStartedAt: null },
    identity: sampleIdentity(),
    settings: { rootPasswordHash: hash, timezone: 'Etc/UTC', keyboard: 'us', language: 'en_US.UTF-8', treeName: null, repoNames: null, rootSshKeys: [], kernelArgs: [], modifiedAt: new Date(0) },
    trees: [tree('alma9')],
    repos: [{ name: 'striker', lastSyncedAt: new Date(1000) }, { name: 'epel', lastSyncedAt: null }],
    sshPublicKey: testSshKey,
    ...over,
  };
}

describe('buildHostDraft', () => {
  it("builds a renderable draft with URLs on the Striker BCN address, synced repos under striker… ids with their keys, and the Striker's SSH key", () => {
    const r = buildHostDraft(facts(), place);
    if (!r.ok) throw new Error(JSON.stringify(r.problems));
    expect(r.hostId).toBe('52-54-00-0a-01-01');
    expect(r.draft.tree).toBe('http://10.201.4.1:8080/trees/alma9/');
    // PXE boots the installer from the same tree when its configuration names none.
    expect(r.installer).toEqual({ url: 'http://10.201.4.1:8080/trees/alma9/', kernel: 'k', initrd: 'i' });
    expect(r.draft.repos).toEqual([
      { name: 'striker-baseos', url: 'http://10.201.4.1:8080/trees/alma9/BaseOS/', gpgKeyUrls: ['http://10.201.4.1:8080/trees/alma9/RPM-GPG-KEY-AlmaLinux-9'] },
      { name: 'striker', url: 'http://10.201.4.1:8080/repos/striker/', gpgKeyUrls: ['http://10.201.4.1:8080/repos/RPM-GPG-KEY-striker'] },
    ]);
    expect(r.draft.rootSshKey).toBe(testSshKey);
    expect(r.draft.rootPasswordLogin).toBe(false);
    expect(buildHostDraft(facts(), { ...place, rootPasswordLogin: true })).toMatchObject({ ok: true, draft: { rootPasswordLogin: true } });
    expect(r.draft.host.bcn).toEqual({ mac: '52:54:00:0a:01:01', ip: '10.201.10.1', prefix: 16, dns: ['192.168.122.1', '8.8.8.8'] });
    expect(r.draft.locale.ntpServers).toEqual(['pool.ntp.example']);
    expect(r.checkRepos).toEqual([
      { id: 'striker-baseos', url: 'file:///var/trees/alma9/BaseOS', dir: '/var/trees/alma9/BaseOS' },
      { id: 'striker', url: 'file:///var/repos/striker/current', dir: '/var/repos/striker/current' },
    ]);
    expect(renderKickstart({ ...r.draft, registration: { url: `${r.draft.strikerUrl}/ks/x/register`, token: `srt_${'a'.repeat(43)}` }, timelineUrl: `${r.draft.strikerUrl}/ks/x/events` })).toContain('rootpw --iscrypted $6$');
  });

  it("names the field on the machine's page before the CLI command for what the machine lacks", () => {
    const base = facts();
    const r = buildHostDraft({ ...base, machine: { ...base.machine, role: null, hostname: null, reservedIp: null } }, place);
    expect(r.ok ? [] : r.problems.map((p) => `${p.path}: ${p.message}`)).toEqual([
      "machine.role: is not set: assign striker, node or dr (Role on the machine's page; striker machines set 52:54:00:0a:01:01 --role node)",
      "machine.hostname: is not set (Host name on the machine's page; striker machines set 52:54:00:0a:01:01 --hostname an-a01n01)",
      "machine.reservedIp: is not set: reserve a BCN address (Reserved IP on the machine's page; striker machines set 52:54:00:0a:01:01 --ip 10.201.10.1)",
    ]);
  });

  it('uses http.publicUrl when set, drops :80, and serves a tree whose repo is its root', () => {
    const a = buildHostDraft(facts(), { ...place, publicUrl: 'http://striker.example:8081/' });
    const b = buildHostDraft(facts({ trees: [tree('alma9', '.')] }), { ...place, httpPort: 80 });
    if (!a.ok || !b.ok) throw new Error('expected drafts');
    expect(a.draft.strikerUrl).toBe('http://striker.example:8081');
    expect(b.draft.strikerUrl).toBe('http://10.201.4.1');
    expect(b.draft.repos?.[0]).toEqual({ name: 'striker-baseos', url: 'http://10.201.4.1/trees/alma9/', gpgKeyUrls: ['http://10.201.4.1/trees/alma9/RPM-GPG-KEY-AlmaLinux-9'] });
  });

  it("passes the machine's install disks to the kickstart, whose %pre then uses exactly those", () => {
    const base = facts();
    const b = buildHostDraft({ ...base, machine: { ...base.machine, installDisks: ['sdb', 'nvme0n1'] } }, place);
    if (!b.ok) throw new Error(JSON.stringify(b.problems));
    expect(b.draft.disks).toEqual(['sdb', 'nvme0n1']);
    const text = renderKickstart({ ...b.draft, registration: { url: 'http://10.201.4.1:8080/ks/r', token: 'srt_'.padEnd(47, 'x') }, timelineUrl: 'http://10.201.4.1:8080/ks/e' });
    expect(text).toContain("only='sdb nvme0n1'");
    const unset = buildHostDraft(facts(), place);
    expect(unset.ok && unset.draft.disks).toBe(undefined);
    expect(unset.ok && unset.fingerprint).not.toBe(b.fingerprint);
  });

  it("adds a mirrored repo's upstream key, served by the Striker, when the repo has one configured", () => {
    const b = buildHostDraft(facts({ repos: [{ name: 'striker', lastSyncedAt: new Date(1) }, { name: 'epel', lastSyncedAt: new Date(1), upstreamKey: true }] }), place);
    if (!b.ok) throw new Error(JSON.stringify(b.problems));
    expect(b.draft.repos?.find((r) => r.name === 'striker-epel')?.gpgKeyUrls).toEqual([
      'http://10.201.4.1:8080/repos/RPM-GPG-KEY-striker',
      'http://10.201.4.1:8080/repos/epel/RPM-GPG-KEY-upstream',
    ]);
    expect(b.draft.repos?.find((r) => r.name === 'striker')?.gpgKeyUrls).toEqual(['http://10.201.4.1:8080/repos/RPM-GPG-KEY-striker']);
  });

  it('prefixes a mirrored repo id with striker- unless it is striker or starts with striker-', () => {
    const r = buildHostDraft(facts({ repos: ['striker', 'striker-tools', 'epel'].map((name) => ({ name, lastSyncedAt: new Date(1) })) }), place);
    if (!r.ok) throw new Error(JSON.stringify(r.problems));
    expect(r.draft.repos?.map((x) => `${x.name} ${x.url}`)).toEqual([
      'striker-baseos http://10.201.4.1:8080/trees/alma9/BaseOS/',
      'striker http://10.201.4.1:8080/repos/striker/',
      'striker-tools http://10.201.4.1:8080/repos/striker-tools/',
      'striker-epel http://10.201.4.1:8080/repos/epel/',
    ]);
    expect(r.checkRepos.map((c) => c.id)).toEqual(['striker-baseos', 'striker', 'striker-tools', 'striker-epel']);
  });

  it.each<[string, Partial<HostFacts> | ((f: HostFacts) => HostFacts), string[]]>([
    ['an address outside the BCN', (f) => ({ ...f, machine: { ...f.machine, reservedIp: '192.168.1.5' } }), ['machine.reservedIp: must be a host address inside the BCN 10.201.0.0/16 — got \'192.168.1.5\'']],
    ["the Striker's own address", (f) => ({ ...f, machine: { ...f.machine, reservedIp: '10.201.4.1' } }), ["machine.reservedIp: is the Striker's own BCN address 10.201.4.1"]],
    ['no tree', { trees: [] }, ['settings.tree: no installation tree has been imported yet: import the OS media first (Upload OS media on the Repos page; striker repo import <iso>)']],
    ['a chosen tree that is gone', (f) => ({ ...f, settings: { ...f.settings, treeName: 'rocky9' } }), ['settings.tree: installation tree rocky9 has not been imported (Upload OS media on the Repos page; striker repo import <iso>)']],
    ['chosen repos missing or never synced', (f) => ({ ...f, settings: { ...f.settings, repoNames: ['epel', 'nope'] } }), ['settings.repos: repo epel has not been synced yet (striker repo sync epel)', 'settings.repos: repo nope does not exist']],
    ['a tree with no key at its root', (f) => ({ ...f, trees: [{ ...tree('alma9'), gpgKeyFiles: ['.treeinfo', 'RPM-GPG-KEY-'] }] }), ["settings.tree: installation tree alma9 carries no RPM-GPG-KEY-* file at its root: its packages cannot be verified (import the distribution's own media)"]],
    ['no SSH key yet', { sshPublicKey: undefined }, ["sshKey: the Striker's SSH key has not been created yet: striker serve creates it when it starts"]],
    ['a mirrored repo that would share the tree repo id', (f) => ({ ...f, repos: [{ name: 'baseos', lastSyncedAt: new Date(1) }] }), ['settings.repos: two repos would both be striker-baseos on the host: rename the mirrored repo']],
    ['a domain the kickstart cannot carry', (f) => ({ ...f, identity: { ...f.identity!, domain: 'Bad_Domain' } }), ['kickstart.host.domain: must be a lower-case domain like example.com']],
  ])('lists the problem for %s', (_name, change, expected) => {
    const f = typeof change === 'function' ? change(facts()) : facts(change);
    const r = buildHostDraft(f, place);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.problems.map((p) => `${p.path}: ${p.message}`)).toEqual(expected);
  });

  it('changes its fingerprint when an input or a repo snapshot changes, and status follows', () => {
    const a = buildHostDraft(facts(), place);
    const b = buildHostDraft(facts({ repos: [{ name: 'striker', lastSyncedAt: new Date(2000) }] }), place);
    const c = buildHostDraft(facts(), place);
    if (!a.ok || !b.ok || !c.ok) throw new Error('expected drafts');
    expect(a.fingerprint).toBe(c.fingerprint);
    expect(b.fingerprint).not.toBe(a.fingerprint);
    const stored: StoredCheck = { status: 'ready', engine: 'dnf', problems: [], fingerprint: a.fingerprint, jobId: null, checkedAt: new Date(0) };
    expect(statusOf(a, stored).status).toBe('ready');
    expect(statusOf(b, stored)).toMatchObject({ status: 'unchecked', stale: true });
    expect(statusOf(a, undefined)).toMatchObject({ status: 'unchecked', stale: false });
  });
});

describe('host ids', () => {
  it('round-trips a MAC and refuses anything else', () => {
    expect(macOfHostId(hostIdOf('52:54:00:0a:01:01'))).toBe('52:54:00:0a:01:01');
    for (const bad of ['52-54-00-0A-01-01', '..', 'host-node-1', '52-54-00-0a-01']) expect(macOfHostId(bad)).toBeUndefined();
  });
});

describe('loadHostFacts with shared facts', () => {
  it('reads only each machine from the database and takes the common facts from one coalesced load', async () => {
    const machines = ['52:54:00:0a:01:01', '52:54:00:0a:01:02', '52:54:00:0a:01:03', '52:54:00:0a:01:04'];
    const queries: string[] = [];
    const db = {
      query: async (text: string, values?: readonly unknown[]) => {
        queries.push(text);
        if (!/FROM machines m\b/.test(text)) throw new Error(`unexpected query: ${text.slice(0, 60)}`);
        return { rows: [{ ...facts().machine, mac: values?.[0] }], rowCount: 1 };
      },
      write: async () => { throw new Error('no writes expected'); },
    } as unknown as Parameters<typeof loadHostFacts>[0];
    let loads = 0;
    const { machine: _machine, ...common } = facts();
    const shared = new CoalescedLoad(async () => { loads++; return common; });
    const all = await Promise.all(machines.map((mac) => loadHostFacts(db, mac, place, () => shared.get())));
    expect(all.map((f) => f.machine.mac)).toEqual(machines);
    expect(all.every((f) => f.settings === common.settings && f.sshPublicKey === testSshKey)).toBe(true);
    expect(queries).toHaveLength(machines.length);
    expect(loads).toBe(2); // the first caller's load, and one queued for the callers that came while it ran
    expect(buildHostDraft(all[3]!, place)).toMatchObject({ ok: true, hostId: '52-54-00-0a-01-04' });
  });
});
