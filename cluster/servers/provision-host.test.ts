import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CommandError } from '../../striker/core/command/command-error.js';
import type { CommandRunner } from '../../striker/core/command/run-command.js';
import type { HostJobContext } from '../../striker/agent/index.js';
import { renderMessage } from '../../striker/jobs/job.js';
import { drbdDryRunNote } from './drbd-dry-run.js';
import { serverProvisionRunner, stepsFor, type ProvisionPayload } from './provision-host.js';

let root: string;
beforeEach(() => { root = mkdtempSync(join(tmpdir(), 'provision-host-')); });
afterEach(() => rmSync(root, { recursive: true, force: true }));

const paths = () => ({ resourceDir: join(root, 'drbd.d'), definitionsDir: join(root, 'defs'), stateDir: join(root, 'state') });

const payload = (over: Partial<ProvisionPayload> = {}): ProvisionPayload => ({
  server: 'srv01', action: 'create', role: 'node1', hostName: 'an-a01n01', diskGiB: 20,
  storage: { kind: 'lvm', volumeGroup: 'vg0' }, drbdResource: 'resource srv01 {}\n', domainXml: '<domain/>\n', drbdDryRun: false,
  pacemaker: { liveMigration: true, preferredNode: 'an-a01n01', migrationHosts: [{ node: 'an-a01n01', address: '10.199.0.1' }, { node: 'an-a01n02', address: '10.199.0.2' }] }, ...over,
});

interface Fake { run: CommandRunner; ran: string[]; env: Record<string, string>[] }
/** A command runner that records each argv; `fail` names a command (its start) that fails, `exit` gives a command's exit code. */
function fakeRunner(fail?: string, exit: Record<string, number> = {}): Fake {
  const ran: string[] = [];
  const env: Record<string, string>[] = [];
  const run: CommandRunner = async (argv, options) => {
    const line = argv.join(' ');
    ran.push(line);
    env.push(options.env ?? {});
    if (fail !== undefined && line.startsWith(fail)) {
      throw new CommandError({ argv, exitCode: 5, stderr: 'Volume group "vg0" has insufficient free space', stdout: '', failure: 'exit', reason: 'exited with 5' });
    }
    const code = Object.entries(exit).find(([k]) => line.startsWith(k))?.[1] ?? 0;
    return { argv, exitCode: code, stdout: line.startsWith('drbdadm') && argv.includes('-d') ? `drbdsetup for ${argv.slice(-1)[0]}\n` : '', stderr: '', durationMs: 1 };
  };
  return { run, ran, env };
}

function context(p: ProvisionPayload) {
  const notes: { message: string; vars: Record<string, unknown> | undefined; level: string | undefined }[] = [];
  const ctx: HostJobContext<ProvisionPayload> = {
    jobId: 'j1', payload: p, signal: new AbortController().signal, logger: pino({ level: 'silent' }),
    progress: async () => undefined,
    note: async (message, vars, level) => { notes.push({ message, vars, level }); },
    api: async () => { throw new Error('no api in this test'); },
  };
  return { ctx, notes };
}

const node1Commands = [
  'lvs --noheadings -o lv_path vg0/srv01_0',
  'lvcreate --yes --name srv01_0 --size 20G vg0',
  'drbdadm create-md --force --max-peers=2 srv01',
  'drbdadm adjust srv01',
  'drbdadm primary --force srv01',
  'drbdadm secondary srv01',
  'virsh define DEFS/srv01.xml',
  'pcs resource config srv01',
  'pcs resource create srv01 ocf:striker:server --disabled name=srv01 drbd_resource=srv01 config=DEFS/srv01.xml live_migration=true drbd_dry_run=false migration_hosts=an-a01n01=10.199.0.1 an-a01n02=10.199.0.2 meta allow-migrate=true resource-stickiness=100',
  'pcs constraint location srv01 prefers an-a01n01=50',
  'pcs resource enable srv01',
];

const withDefs = (lines: string[]) => lines.map((l) => l.replaceAll(join(root, 'defs'), 'DEFS'));

describe('server.provision on a node', () => {
  it('steps by role: node2 makes no sync and no pacemaker resource', () => {
    expect(stepsFor({ role: 'node1', pacemaker: { liveMigration: true, preferredNode: 'x', migrationHosts: [] } })).toEqual(['volume', 'resource-file', 'metadata', 'up', 'initial-sync', 'definition', 'pacemaker', 'placement', 'enable']);
    expect(stepsFor({ role: 'node2', pacemaker: undefined })).toEqual(['volume', 'resource-file', 'metadata', 'up', 'definition']);
  });

  it('node1: the exact commands in order, the files written, every step recorded', async () => {
    const fake = fakeRunner(undefined, { 'lvs ': 5, 'pcs resource config': 1 });
    const { ctx, notes } = context(payload());
    const result = await serverProvisionRunner({ run: fake.run, paths: paths() })(ctx);
    expect(withDefs(fake.ran)).toEqual(node1Commands);
    // Not in dry-run mode: no -d, no dry-run environment, no dry-run note.
    expect(fake.env.every((e) => Object.keys(e).length === 0)).toBe(true);
    expect(notes.filter((n) => n.message === drbdDryRunNote)).toEqual([]);
    expect(readFileSync(join(root, 'drbd.d', 'srv01.res'), 'utf8')).toBe('resource srv01 {}\n');
    expect(readFileSync(join(root, 'defs', 'srv01.xml'), 'utf8')).toBe('<domain/>\n');
    expect(JSON.parse(readFileSync(join(root, 'state', 'srv01.json'), 'utf8'))).toEqual({ made: stepsFor(payload()) });
    expect(result).toEqual({ message: 'Provisioned srv01 on an-a01n01: volume, resource-file, metadata, up, initial-sync, definition, pacemaker, placement, enable' });
  });

  it('node2 with a file volume and DRBD dry run: a sparse file, drbdadm -d as this host, the printed calls noted', async () => {
    const fake = fakeRunner();
    const p = payload({ role: 'node2', hostName: 'an-a01n02', pacemaker: undefined, drbdDryRun: true, storage: { kind: 'file', directory: join(root, 'volumes') } });
    const { ctx, notes } = context(p);
    await serverProvisionRunner({ run: fake.run, paths: paths(), drbdConfig: '/etc/striker/drbd.conf' })(ctx);
    expect(withDefs(fake.ran)).toEqual([
      'drbdadm -c /etc/striker/drbd.conf -d create-md --force --max-peers=2 srv01',
      'drbdadm -c /etc/striker/drbd.conf -d adjust srv01',
      'virsh define DEFS/srv01.xml',
    ]);
    expect(fake.env[0]).toEqual({ __DRBD_NODE__: 'an-a01n02', DRBD_DRIVER_VERSION_OVERRIDE: '9.0.0' });
    expect(statSync(join(root, 'volumes', 'srv01.img')).size).toBe(20 * 1024 ** 3);
    expect(notes.filter((n) => n.message === drbdDryRunNote).map((n) => n.vars)).toEqual([
      { args: 'create-md --force --max-peers=2 srv01', command: 'drbdadm -d create-md --force --max-peers=2 srv01', host: 'an-a01n02', commands: 'drbdsetup for srv01' },
      { args: 'adjust srv01', command: 'drbdadm -d adjust srv01', host: 'an-a01n02', commands: 'drbdsetup for srv01' },
    ]);
    expect(renderMessage(drbdDryRunNote, notes.find((n) => n.message === drbdDryRunNote)!.vars!)).toBe(
      'Configured DRBD dry-run mode (servers.drbdDryRun): `drbdadm -d create-md --force --max-peers=2 srv01` ran as an-a01n02 and printed these calls without making them: drbdsetup for srv01',
    );
  });

  it('a run cut short resumes at the first step not recorded', async () => {
    // The agent died during the definition step: the steps before it are recorded.
    mkdirSync(join(root, 'state'), { recursive: true });
    writeFileSync(join(root, 'state', 'srv01.json'), JSON.stringify({ made: ['volume', 'resource-file', 'metadata', 'up', 'initial-sync'] }));
    const fake = fakeRunner(undefined, { 'pcs resource config': 1 });
    const { ctx: again, notes } = context(payload());
    await serverProvisionRunner({ run: fake.run, paths: paths() })(again);
    expect(withDefs(fake.ran)).toEqual(node1Commands.slice(6));
    expect(notes[0]).toMatchObject({ message: 'Resuming provisioning of {server}: already done here: {done}', vars: { done: 'volume, resource-file, metadata, up, initial-sync' } });
    // Nothing left: a third run changes nothing.
    const none = fakeRunner();
    expect(await serverProvisionRunner({ run: none.run, paths: paths() })(context(payload()).ctx)).toEqual({ noChange: 'srv01 is already provisioned on an-a01n01' });
    expect(none.ran).toEqual([]);
  });

  it('a failed step rolls back what was made, in reverse, says so and fails', async () => {
    const fake = fakeRunner('pcs resource create', { 'lvs ': 5, 'pcs resource config': 1 });
    const { ctx, notes } = context(payload());
    await expect(serverProvisionRunner({ run: fake.run, paths: paths() })(ctx)).rejects.toThrow(
      'provisioning srv01 on an-a01n01 failed at pacemaker: pcs exited with 5: Volume group "vg0" has insufficient free space — rolled back domain undefined, DRBD resource down, resource file removed, volume removed',
    );
    expect(withDefs(fake.ran.slice(node1Commands.findIndex((l) => l.startsWith('pcs resource create')) + 1))).toEqual([
      'virsh undefine srv01',
      'drbdadm down srv01',
      'lvremove --yes vg0/srv01_0',
    ]);
    expect(existsSync(join(root, 'drbd.d', 'srv01.res'))).toBe(false);
    expect(existsSync(join(root, 'defs', 'srv01.xml'))).toBe(false);
    expect(existsSync(join(root, 'state', 'srv01.json'))).toBe(false);
    expect(notes.map((n) => n.level)).toContain('error');
  });

  it('a failure in the first step has nothing to roll back', async () => {
    const fake = fakeRunner('lvcreate', { 'lvs ': 5 });
    const { ctx } = context(payload());
    await expect(serverProvisionRunner({ run: fake.run, paths: paths() })(ctx)).rejects.toThrow(/failed at volume: .* — rolled back nothing \(nothing was made\)$/);
    expect(fake.ran).toEqual(['lvs --noheadings -o lv_path vg0/srv01_0', 'lvcreate --yes --name srv01_0 --size 20G vg0']);
  });

  it('remove undoes a finished run; a second remove changes nothing', async () => {
    await serverProvisionRunner({ run: fakeRunner(undefined, { 'lvs ': 5, 'pcs resource config': 1 }).run, paths: paths() })(context(payload()).ctx);
    const fake = fakeRunner();
    const result = await serverProvisionRunner({ run: fake.run, paths: paths() })(context(payload({ action: 'remove' })).ctx);
    expect(fake.ran).toEqual(['pcs resource delete srv01', 'virsh undefine srv01', 'drbdadm down srv01', 'lvremove --yes vg0/srv01_0']);
    expect(result).toEqual({ message: 'Removed what provisioning made for srv01 on an-a01n01: pacemaker resource deleted, domain undefined, DRBD resource down, resource file removed, volume removed' });
    expect(await serverProvisionRunner({ run: fakeRunner().run, paths: paths() })(context(payload({ action: 'remove' })).ctx)).toEqual({ noChange: 'nothing of srv01 was made on an-a01n01' });
  });

  it('the resource is created stopped, constrained, then enabled; one argv per element (migration_hosts is one word)', async () => {
    const fake = fakeRunner(undefined, { 'lvs ': 5, 'pcs resource config': 1 });
    const argvs: string[][] = [];
    const run: CommandRunner = async (argv, options) => { argvs.push([...argv]); return fake.run(argv, options); };
    await serverProvisionRunner({ run, paths: paths() })(context(payload()).ctx);
    const pcs = argvs.filter((a) => a[0] === 'pcs' && a[2] !== 'config').map((a) => a.slice(1, 3).join(' '));
    expect(pcs).toEqual(['resource create', 'constraint location', 'resource enable']);
    const create = argvs.find((a) => a[2] === 'create')!;
    expect(create.indexOf('--disabled')).toBe(5);
    expect(create).toContain('migration_hosts=an-a01n01=10.199.0.1 an-a01n02=10.199.0.2');
    // Without an MN the parameter is left out: the agent then reaches the peer by its node name.
    const none = fakeRunner(undefined, { 'lvs ': 5, 'pcs resource config': 1 });
    await serverProvisionRunner({ run: none.run, paths: paths() })(context(payload({ server: 'srv02', pacemaker: { liveMigration: false, preferredNode: 'an-a01n02', migrationHosts: [] } })).ctx);
    expect(none.ran.filter((l) => l.startsWith('pcs ') && !l.startsWith('pcs resource config'))).toEqual([
      `pcs resource create srv02 ocf:striker:server --disabled name=srv02 drbd_resource=srv02 config=${join(root, 'defs')}/srv02.xml live_migration=false drbd_dry_run=false meta allow-migrate=false resource-stickiness=100`,
      'pcs constraint location srv02 prefers an-a01n02=50',
      'pcs resource enable srv02',
    ]);
  });

  it('an existing logical volume and pacemaker resource are kept, not made twice', async () => {
    const fake = fakeRunner();
    await serverProvisionRunner({ run: fake.run, paths: paths() })(context(payload()).ctx);
    expect(fake.ran.filter((l) => l.startsWith('lvcreate') || l.startsWith('pcs resource create'))).toEqual([]);
  });
});
