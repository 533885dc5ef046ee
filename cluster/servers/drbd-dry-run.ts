/**
 * drbdadm as the host jobs run it, and DRBD's dry-run mode (`servers.drbdDryRun`, for hosts
 * without the DRBD kernel module, such as the namespace lab): drbdadm then runs with `-d` as the
 * host (`__DRBD_NODE__`), which parses the resource and prints the drbdsetup and drbdmeta calls it
 * would make without making them. Nothing on the host changes; the job notes which drbdadm command
 * ran and the calls it printed. Off unless configured: the payloads carry the setting from
 * Striker's configuration, whose default is false.
 */
import type { CommandRunner } from '../../striker/core/command/run-command.js';
import type { HostJobContext } from '../../striker/agent/index.js';

/** The job note of one drbdadm call in dry-run mode. */
export const drbdDryRunNote = 'Configured DRBD dry-run mode (servers.drbdDryRun): `{command}` ran as {host} and printed these calls without making them: {commands}';

export interface DrbdadmContext {
  run: CommandRunner;
  ctx: Pick<HostJobContext<never>, 'note' | 'signal'>;
  dryRun: boolean;
  /** The host drbdadm runs as (`__DRBD_NODE__` in dry-run mode). */
  host: string;
  /** drbdadm's `-c <config>`, when given. */
  config?: string | undefined;
  timeoutMs: number;
}

/**
 * Runs `drbdadm <args>` (`-c <config>` when given, `-d` as the host in dry-run mode). In dry-run
 * mode it notes the command and the calls drbdadm printed, and returns those calls; otherwise [].
 */
export async function runDrbdadm(d: DrbdadmContext, args: readonly string[]): Promise<string[]> {
  const argv = ['drbdadm', ...(d.config ? ['-c', d.config] : []), ...(d.dryRun ? ['-d'] : []), ...args];
  const env: Record<string, string> = d.dryRun ? { __DRBD_NODE__: d.host, DRBD_DRIVER_VERSION_OVERRIDE: '9.0.0' } : {};
  const r = await d.run(argv, { timeoutMs: d.timeoutMs, signal: d.ctx.signal, env });
  if (!d.dryRun) return [];
  const calls = r.stdout.trim().split('\n').filter((l) => l.trim() !== '');
  await d.ctx.note(drbdDryRunNote, { args: args.join(' '), command: `drbdadm -d ${args.join(' ')}`, host: d.host, commands: calls.join('; ') });
  return calls;
}
