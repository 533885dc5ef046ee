/**
 * The DR kinds' runners on a host (the agent runs them; striker/app/agent-run.ts injects them).
 *
 * - `dr.link` (the DR host): writes the pair's DRBD `global_common.conf` (cluster/drbd-global-plan.ts)
 *   where it differs, then reports the link to Striker (`POST /api/agent/dr/<pair>/linked`).
 * - `dr.protect`: on a subnode, writes the resource file Striker rendered (pair + DR) and runs
 *   `drbdadm adjust`, which adds the DR peer's connection; on the DR host, first the backing
 *   volume (`lvcreate`, or a sparse file) and the metadata (`drbdadm create-md --force
 *   --max-peers=2`, once: recorded in the state directory so a retried job never wipes it), then
 *   the file and `adjust`, and reports the server protected.
 * - `dr.unprotect`: on a subnode, writes the pair-only file and adjusts (the DR peer is dropped);
 *   on the DR host, `drbdadm down`, then the file, the metadata record and the volume are
 *   removed, and it reports the server unprotected.
 *
 * With `drbdDryRun` set in Striker's configuration (hosts without the DRBD kernel module),
 * drbdadm runs with `-d` as the host (cluster/servers/drbd-dry-run.ts): it prints the drbdsetup and
 * drbdmeta calls without making them, and the job notes the command and those calls.
 */
import { mkdir, open, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { CommandRunner } from '../../striker/core/command/run-command.js';
import type { HostJobContext, HostJobPayload, HostJobRunner } from '../../striker/agent/index.js';
import { renderDrbdGlobalCommon } from '../drbd-global-plan.js';
import { backingVolumePath } from '../servers/backing-volume.js';
import { runDrbdadm } from '../servers/index.js';

export interface DrHostPaths {
  /** Where DRBD reads resource files and global_common.conf. */
  resourceDir: string;
  /** Where the DR host records that a server's metadata was made. */
  stateDir: string;
}

export const defaultDrHostPaths: DrHostPaths = { resourceDir: '/etc/drbd.d', stateDir: '/var/lib/striker/dr' };

export interface DrHostDeps {
  run: CommandRunner;
  paths?: Partial<DrHostPaths>;
  /** drbdadm's configuration file (`-c`), when it is not /etc/drbd.conf. */
  drbdConfig?: string;
  /** Per command (default 10 minutes: lvcreate and create-md on a large volume take a while). */
  commandTimeoutMs?: number;
}

type ProtectPayload = HostJobPayload<'dr.protect'>;

/** The paths the agent API gives the DR reports (under /api/agent/). */
export const drLinkedPath = (anvil: string) => `dr/${encodeURIComponent(anvil)}/linked`;
export const drProtectionPath = (server: string) => `dr/servers/${encodeURIComponent(server)}/protection`;

export function drHostRunners(deps: DrHostDeps): { 'dr.link': HostJobRunner<'dr.link'>; 'dr.protect': HostJobRunner<'dr.protect'>; 'dr.unprotect': HostJobRunner<'dr.unprotect'> } {
  const paths = { ...defaultDrHostPaths, ...deps.paths };
  const timeoutMs = deps.commandTimeoutMs ?? 600_000;

  const link: HostJobRunner<'dr.link'> = async (ctx) => {
    const p = ctx.payload;
    const file = join(paths.resourceDir, 'global_common.conf');
    const text = renderDrbdGlobalCommon();
    const before = await readFile(file, 'utf8').catch(() => undefined);
    await ctx.progress(20, "Writing {anvil}'s DRBD global configuration on {host}", { anvil: p.anvilName, host: p.hostName });
    if (before !== text) {
      await mkdir(paths.resourceDir, { recursive: true });
      await writeFile(file, text, { mode: 0o644 });
    }
    await ctx.progress(80, 'Recording {host} as the DR host of {anvil}', { anvil: p.anvilName, host: p.hostName });
    await ctx.api('POST', drLinkedPath(p.anvilName), {});
    return { message: `${p.hostName} is linked to ${p.anvilName} (${p.nodes.map((n) => n.hostName).join(' and ')})${before === text ? '; its DRBD global configuration was already in place' : ''}` };
  };

  const protect: HostJobRunner<'dr.protect'> = async (ctx) => {
    const host = new DrHostSteps(deps, paths, timeoutMs, ctx);
    const p = ctx.payload;
    if (p.drbdResource === undefined) throw new Error(`dr.protect of ${p.server} on ${p.hostName} carries no resource file`);
    if (p.role === 'dr') {
      if (p.volume === undefined) throw new Error(`dr.protect of ${p.server} on the DR host ${p.hostName} carries no volume`);
      await ctx.progress(10, 'Making the backing volume of {server} on {host}', { server: p.server, host: p.hostName });
      await host.makeVolume(p.volume);
      await host.writeResource(p.drbdResource);
      await ctx.progress(40, 'Creating the DRBD metadata of {server} on {host}', { server: p.server, host: p.hostName });
      await host.createMetadataOnce();
    } else {
      await host.writeResource(p.drbdResource);
    }
    await ctx.progress(70, 'Adjusting {server} on {host}: the DR peer is added', { server: p.server, host: p.hostName });
    const commands = await host.drbdadm(['adjust', p.server]);
    if (p.role === 'dr') await ctx.api('POST', drProtectionPath(p.server), { action: 'protect' });
    return { message: `${p.server} on ${p.hostName} (${p.role}) now replicates with the DR host${dryRunSuffix(p, commands)}` };
  };

  const unprotect: HostJobRunner<'dr.unprotect'> = async (ctx) => {
    const host = new DrHostSteps(deps, paths, timeoutMs, ctx);
    const p = ctx.payload;
    if (p.role === 'dr') {
      await ctx.progress(20, 'Taking {server} down on the DR host {host}', { server: p.server, host: p.hostName });
      const commands = (await host.hasResourceFile()) ? await host.drbdadm(['down', p.server]) : [];
      await host.removeResource();
      if (p.volume !== undefined) await host.removeVolume(p.volume);
      await ctx.api('POST', drProtectionPath(p.server), { action: 'unprotect' });
      return { message: `${p.server} is no longer on the DR host ${p.hostName}: resource down, file and volume removed${dryRunSuffix(p, commands)}` };
    }
    if (p.drbdResource === undefined) throw new Error(`dr.unprotect of ${p.server} on ${p.hostName} carries no resource file`);
    await host.writeResource(p.drbdResource);
    await ctx.progress(60, 'Adjusting {server} on {host}: the DR peer is dropped', { server: p.server, host: p.hostName });
    const commands = await host.drbdadm(['adjust', p.server]);
    return { message: `${p.server} on ${p.hostName} (${p.role}) no longer replicates with the DR host${dryRunSuffix(p, commands)}` };
  };

  return { 'dr.link': link, 'dr.protect': protect, 'dr.unprotect': unprotect };
}

const dryRunSuffix = (p: ProtectPayload, commands: string[]) => (p.drbdDryRun
  ? ` (configured DRBD dry-run mode: drbdadm -d printed ${commands.length} drbdsetup/drbdmeta calls and made none)`
  : '');

class DrHostSteps {
  private readonly p: ProtectPayload;

  constructor(
    private readonly deps: DrHostDeps,
    private readonly paths: DrHostPaths,
    private readonly timeoutMs: number,
    private readonly ctx: HostJobContext<ProtectPayload>,
  ) {
    this.p = ctx.payload;
  }

  private get resourceFile() { return join(this.paths.resourceDir, `${this.p.server}.res`); }
  private get metadataRecord() { return join(this.paths.stateDir, `${this.p.server}.metadata`); }

  private run(argv: string[], okExitCodes: number[] = [0]) {
    return this.deps.run(argv, { timeoutMs: this.timeoutMs, signal: this.ctx.signal, okExitCodes });
  }

  /** Runs drbdadm (with -d as this host in the configured dry-run mode); returns the calls a dry run printed. */
  async drbdadm(args: string[]): Promise<string[]> {
    return runDrbdadm({ run: this.deps.run, ctx: this.ctx, dryRun: this.p.drbdDryRun, host: this.p.hostName, config: this.deps.drbdConfig, timeoutMs: this.timeoutMs }, args);
  }

  async writeResource(text: string): Promise<void> {
    await mkdir(this.paths.resourceDir, { recursive: true });
    await writeFile(this.resourceFile, text, { mode: 0o644 });
  }

  async hasResourceFile(): Promise<boolean> {
    return (await readFile(this.resourceFile, 'utf8').catch(() => undefined)) !== undefined;
  }

  async removeResource(): Promise<void> {
    await rm(this.resourceFile, { force: true });
    await rm(this.metadataRecord, { force: true });
  }

  async createMetadataOnce(): Promise<void> {
    if ((await readFile(this.metadataRecord, 'utf8').catch(() => undefined)) !== undefined) {
      await this.ctx.note('The DRBD metadata of {server} was made here already', { server: this.p.server });
      return;
    }
    await this.drbdadm(['create-md', '--force', '--max-peers=2', this.p.server]);
    await mkdir(this.paths.stateDir, { recursive: true });
    await writeFile(this.metadataRecord, `${new Date().toISOString()}\n`, { mode: 0o644 });
  }

  async makeVolume(v: NonNullable<ProtectPayload['volume']>): Promise<void> {
    const name = this.p.server;
    if (v.storage.kind === 'lvm') {
      const lv = `${v.storage.volumeGroup}/${name}_0`;
      const found = await this.run(['lvs', '--noheadings', '-o', 'lv_path', lv], [0, 5]);
      if (found.exitCode === 0) {
        await this.ctx.note('Logical volume {lv} exists already; using it', { lv });
        return;
      }
      await this.run(['lvcreate', '--yes', '--name', `${name}_0`, '--size', `${v.diskGiB}G`, v.storage.volumeGroup]);
      return;
    }
    await mkdir(v.storage.directory, { recursive: true });
    const file = await open(backingVolumePath(v.storage, name), 'a', 0o600);
    try {
      if ((await file.stat()).size === 0) await file.truncate(v.diskGiB * 1024 ** 3);
    } finally {
      await file.close();
    }
  }

  async removeVolume(v: NonNullable<ProtectPayload['volume']>): Promise<void> {
    if (v.storage.kind === 'lvm') {
      const lv = `${v.storage.volumeGroup}/${this.p.server}_0`;
      const found = await this.run(['lvs', '--noheadings', '-o', 'lv_path', lv], [0, 5]);
      if (found.exitCode === 0) await this.run(['lvremove', '--yes', lv]);
      return;
    }
    await rm(backingVolumePath(v.storage, this.p.server), { force: true });
  }
}

