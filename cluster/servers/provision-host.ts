/**
 * The `server.provision` host job: a server's share on one subnode, made step by step.
 *
 *   volume         the backing volume: `lvcreate` in the configured volume group, or a sparse file
 *   resource-file  the DRBD resource file Striker rendered, in /etc/drbd.d
 *   metadata       `drbdadm create-md --force --max-peers=2` (room for a DR peer added later)
 *   up             `drbdadm adjust` (brings the resource up as the file says; idempotent)
 *   initial-sync   node1 only: `drbdadm primary --force`, then `secondary`: node1's disk becomes
 *                  the sync source and the resource is left for pacemaker to promote
 *   definition     the domain XML Striker rendered, kept in the definitions directory (the resource
 *                  agent's `config`), and `virsh define`
 *   pacemaker      node1 only: `pcs resource create <name> ocf:striker:server --disabled …`
 *                  (cluster/servers/ocf): created stopped, so pacemaker cannot start it anywhere
 *                  before it knows where the server belongs
 *   placement      node1 only: `pcs constraint location <name> prefers <preferred node>=50`
 *   enable         node1 only: `pcs resource enable <name>`: the first start is on the preferred node
 *
 * Each step done is recorded in a state file on the host before the next starts, so a run cut
 * short (the agent died, the job is retried) resumes at the first step not recorded; every step
 * is safe to repeat. When a step fails, everything recorded is undone in reverse (pacemaker
 * resource deleted, domain undefined and its XML removed, DRBD taken down, resource file and
 * volume removed), the job says what it undid, and fails. `remove` undoes a finished run the same
 * way (Striker asks for it when the other subnode failed).
 *
 * With `drbdDryRun` set in Striker's configuration (hosts without the DRBD kernel module),
 * drbdadm runs with `-d` (drbd-dry-run.ts): it prints the drbdsetup and drbdmeta calls without
 * making them, and the job notes the command and those calls.
 */
import { mkdir, open, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { CommandRunner } from '../../striker/core/command/run-command.js';
import type { HostJobContext, HostJobPayload, HostJobResult, HostJobRunner } from '../../striker/agent/index.js';
import { backingVolumePath } from './backing-volume.js';
import { runDrbdadm } from './drbd-dry-run.js';

export type ProvisionPayload = HostJobPayload<'server.provision'>;

export const provisionHostSteps = ['volume', 'resource-file', 'metadata', 'up', 'initial-sync', 'definition', 'pacemaker', 'placement', 'enable'] as const;
export type ProvisionHostStep = (typeof provisionHostSteps)[number];

const pacemakerSteps: readonly ProvisionHostStep[] = ['pacemaker', 'placement', 'enable'];
const node1Only: readonly ProvisionHostStep[] = ['initial-sync', ...pacemakerSteps];

/** The steps a payload takes on its host, in order. */
export function stepsFor(p: Pick<ProvisionPayload, 'role' | 'pacemaker'>): ProvisionHostStep[] {
  return provisionHostSteps.filter((s) => {
    if (s === 'initial-sync') return p.role === 'node1';
    if (pacemakerSteps.includes(s)) return p.role === 'node1' && p.pacemaker !== undefined;
    return !node1Only.includes(s);
  });
}

export interface ProvisionHostPaths {
  /** Where DRBD reads resource files. */
  resourceDir: string;
  /** Where domain XML is kept (the resource agent's `config`). */
  definitionsDir: string;
  /** Where each server's provisioning steps are recorded. */
  stateDir: string;
}

export const defaultProvisionHostPaths: ProvisionHostPaths = {
  resourceDir: '/etc/drbd.d',
  definitionsDir: '/etc/striker/servers',
  stateDir: '/var/lib/striker/servers',
};

export interface ProvisionHostDeps {
  run: CommandRunner;
  paths?: Partial<ProvisionHostPaths>;
  /** drbdadm's configuration file (`-c`), when it is not /etc/drbd.conf. */
  drbdConfig?: string;
  /** libvirt's connection URI (`virsh -c`), when not the default. */
  libvirtUri?: string;
  /** Per command (default 10 minutes: lvcreate and create-md on a large volume take a while). */
  commandTimeoutMs?: number;
}

export function definitionPath(definitionsDir: string, server: string): string {
  return join(definitionsDir, `${server}.xml`);
}

/** How strongly a server stays where it runs: above its placement score (50), so a server moved to its peer stays there once the move's constraint is cleared. */
export const serverStickiness = 100;

/**
 * The ocf:striker:server resource, created stopped (`--disabled`), with the parameters the agent
 * in cluster/servers/ocf/ reads: `migration_hosts` lists each node's MN address ("node=address",
 * space-separated), so live migrations go over the migration network.
 */
export function pacemakerCreateArgv(p: ProvisionPayload, definitionsDir: string): string[] {
  const live = p.pacemaker?.liveMigration ?? false;
  const hosts = p.pacemaker?.migrationHosts ?? [];
  return [
    'pcs', 'resource', 'create', p.server, 'ocf:striker:server', '--disabled',
    `name=${p.server}`, `drbd_resource=${p.server}`, `config=${definitionPath(definitionsDir, p.server)}`,
    `live_migration=${String(live)}`, `drbd_dry_run=${String(p.drbdDryRun)}`,
    ...(hosts.length > 0 ? [`migration_hosts=${hosts.map((h) => `${h.node}=${h.address}`).join(' ')}`] : []),
    'meta', `allow-migrate=${String(live)}`, `resource-stickiness=${serverStickiness}`,
  ];
}

export const placementArgv = (server: string, preferredNode: string) => ['pcs', 'constraint', 'location', server, 'prefers', `${preferredNode}=50`];
export const enableArgv = (server: string) => ['pcs', 'resource', 'enable', server];

interface StateFile { made: ProvisionHostStep[] }

export function serverProvisionRunner(deps: ProvisionHostDeps): HostJobRunner<'server.provision'> {
  const paths = { ...defaultProvisionHostPaths, ...deps.paths };
  const timeoutMs = deps.commandTimeoutMs ?? 600_000;
  return async (ctx) => {
    const p = ctx.payload;
    const host = new HostSteps(deps, paths, timeoutMs, ctx);
    const stateFile = join(paths.stateDir, `${p.server}.json`);
    const state = await readState(stateFile);

    if (p.action === 'remove') {
      if (state.made.length === 0) return { noChange: `nothing of ${p.server} was made on ${p.hostName}` };
      const undone = await host.undoAll(state.made);
      await rm(stateFile, { force: true });
      return { message: `Removed what provisioning made for ${p.server} on ${p.hostName}: ${undone.join(', ')}` };
    }

    const steps = stepsFor(p);
    const todo = steps.filter((s) => !state.made.includes(s));
    if (todo.length === 0) return { noChange: `${p.server} is already provisioned on ${p.hostName}` };
    if (todo.length < steps.length) await ctx.note('Resuming provisioning of {server}: already done here: {done}', { server: p.server, done: state.made.join(', ') });
    for (const step of todo) {
      ctx.signal.throwIfAborted();
      await ctx.progress(5 + Math.floor((steps.indexOf(step) / steps.length) * 90), 'Provisioning {server} on {host}: {step}', { server: p.server, host: p.hostName, step });
      try {
        await host.make(step);
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        await ctx.note('Step {step} failed: {reason}. Rolling back what was made here: {made}', { step, reason, made: state.made.join(', ') || 'nothing' }, 'error');
        const undone = await host.undoAll(state.made);
        await rm(stateFile, { force: true });
        throw new Error(`provisioning ${p.server} on ${p.hostName} failed at ${step}: ${reason} — rolled back ${undone.length > 0 ? undone.join(', ') : 'nothing (nothing was made)'}`, { cause: error });
      }
      state.made.push(step);
      await writeState(stateFile, state);
    }
    return { message: `Provisioned ${p.server} on ${p.hostName}: ${steps.join(', ')}` } satisfies HostJobResult;
  };
}

async function readState(file: string): Promise<StateFile> {
  try {
    const parsed = JSON.parse(await readFile(file, 'utf8')) as { made?: unknown };
    const made = Array.isArray(parsed.made) ? parsed.made.filter((s): s is ProvisionHostStep => (provisionHostSteps as readonly unknown[]).includes(s)) : [];
    return { made };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { made: [] };
    throw error;
  }
}

async function writeState(file: string, state: StateFile): Promise<void> {
  await mkdir(join(file, '..'), { recursive: true });
  const temp = `${file}.tmp`;
  await writeFile(temp, `${JSON.stringify(state)}\n`, { mode: 0o600 });
  await rename(temp, file);
}

/** Each step and its undo, as commands and files on this host. */
class HostSteps {
  private readonly p: ProvisionPayload;
  private readonly volume: string;

  constructor(
    private readonly deps: ProvisionHostDeps,
    private readonly paths: ProvisionHostPaths,
    private readonly timeoutMs: number,
    private readonly ctx: HostJobContext<ProvisionPayload>,
  ) {
    this.p = ctx.payload;
    this.volume = backingVolumePath(this.p.storage, this.p.server);
  }

  private run(argv: string[], okExitCodes: number[] = [0]) {
    return this.deps.run(argv, { timeoutMs: this.timeoutMs, signal: this.ctx.signal, okExitCodes });
  }

  private async drbdadm(args: string[]): Promise<void> {
    await runDrbdadm({ run: this.deps.run, ctx: this.ctx, dryRun: this.p.drbdDryRun, host: this.p.hostName, config: this.deps.drbdConfig, timeoutMs: this.timeoutMs }, args);
  }

  private virsh(args: string[], okExitCodes: number[] = [0]) {
    return this.run(['virsh', ...(this.deps.libvirtUri ? ['-c', this.deps.libvirtUri] : []), ...args], okExitCodes);
  }

  private get resourceFile() { return join(this.paths.resourceDir, `${this.p.server}.res`); }
  private get definition() { return definitionPath(this.paths.definitionsDir, this.p.server); }

  async make(step: ProvisionHostStep): Promise<void> {
    const p = this.p;
    switch (step) {
      case 'volume':
        if (p.storage.kind === 'lvm') {
          const lv = `${p.storage.volumeGroup}/${p.server}_0`;
          const found = await this.run(['lvs', '--noheadings', '-o', 'lv_path', lv], [0, 5]);
          if (found.exitCode === 0) {
            await this.ctx.note('Logical volume {lv} exists already; using it', { lv });
            return;
          }
          await this.run(['lvcreate', '--yes', '--name', `${p.server}_0`, '--size', `${p.diskGiB}G`, p.storage.volumeGroup]);
        } else {
          await mkdir(p.storage.directory, { recursive: true });
          const file = await open(this.volume, 'a', 0o600);
          try {
            const { size } = await file.stat();
            if (size === 0) await file.truncate(p.diskGiB * 1024 ** 3);
          } finally {
            await file.close();
          }
        }
        return;
      case 'resource-file':
        await mkdir(this.paths.resourceDir, { recursive: true });
        await writeFile(this.resourceFile, p.drbdResource, { mode: 0o644 });
        return;
      case 'metadata':
        await this.drbdadm(['create-md', '--force', '--max-peers=2', p.server]);
        return;
      case 'up':
        await this.drbdadm(['adjust', p.server]);
        return;
      case 'initial-sync':
        await this.drbdadm(['primary', '--force', p.server]);
        await this.drbdadm(['secondary', p.server]);
        return;
      case 'definition':
        await mkdir(this.paths.definitionsDir, { recursive: true });
        await writeFile(this.definition, p.domainXml, { mode: 0o644 });
        await this.virsh(['define', this.definition]);
        return;
      case 'pacemaker': {
        const found = await this.run(['pcs', 'resource', 'config', p.server], [0, 1]);
        if (found.exitCode === 0) {
          await this.ctx.note('Pacemaker resource {server} exists already', { server: p.server });
          return;
        }
        await this.run(pacemakerCreateArgv(p, this.paths.definitionsDir));
        return;
      }
      case 'placement':
        await this.run(placementArgv(p.server, p.pacemaker!.preferredNode));
        return;
      case 'enable':
        await this.run(enableArgv(p.server));
        return;
    }
  }

  /** Undoes the recorded steps in reverse; a failing undo is noted and the rest still run. Returns what was undone. */
  async undoAll(made: readonly ProvisionHostStep[]): Promise<string[]> {
    const undone: string[] = [];
    for (const step of [...made].reverse()) {
      try {
        const what = await this.undo(step);
        if (what !== undefined) undone.push(what);
      } catch (error) {
        await this.ctx.note('Could not undo {step}: {reason}', { step, reason: error instanceof Error ? error.message : String(error) }, 'error');
      }
    }
    await this.ctx.note(undone.length > 0 ? 'Rolled back: {undone}' : 'Nothing to roll back', { undone: undone.join(', ') }, 'warn');
    return undone;
  }

  private async undo(step: ProvisionHostStep): Promise<string | undefined> {
    const p = this.p;
    switch (step) {
      case 'pacemaker':
        await this.run(['pcs', 'resource', 'delete', p.server]);
        return 'pacemaker resource deleted';
      case 'definition':
        await this.virsh(['undefine', p.server]);
        await rm(this.definition, { force: true });
        return 'domain undefined';
      case 'up':
        await this.drbdadm(['down', p.server]);
        return 'DRBD resource down';
      case 'resource-file':
        await rm(this.resourceFile, { force: true });
        return 'resource file removed';
      case 'volume':
        if (p.storage.kind === 'lvm') await this.run(['lvremove', '--yes', `${p.storage.volumeGroup}/${p.server}_0`]);
        else await rm(this.volume, { force: true });
        return 'volume removed';
      // The constraint goes with the resource, the metadata with the volume; the sync needs no undo;
      // deleting the resource stops it.
      case 'enable':
      case 'placement':
      case 'metadata':
      case 'initial-sync':
        return undefined;
    }
  }
}
