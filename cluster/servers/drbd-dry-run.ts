/**
 * DRBD's dry-run mode (`servers.drbdDryRun`, for hosts without the DRBD kernel module, such as the
 * namespace lab): drbdadm runs with `-d` as the host (`__DRBD_NODE__`), which parses the resource
 * and prints the drbdsetup and drbdmeta calls it would make without making them. Nothing on the
 * host changes; the job notes which drbdadm command ran and the calls it printed. Off unless
 * configured: the payloads carry the setting from Striker's configuration, whose default is false.
 */

/** drbdadm's argv: `-c <config>` when given, `-d` in dry-run mode. */
export function drbdadmArgv(args: readonly string[], options: { dryRun: boolean; config?: string | undefined }): string[] {
  return ['drbdadm', ...(options.config ? ['-c', options.config] : []), ...(options.dryRun ? ['-d'] : []), ...args];
}

/** The environment of a dry run as `host` (none otherwise). */
export function drbdadmEnv(dryRun: boolean, host: string): Record<string, string> {
  return dryRun ? { __DRBD_NODE__: host, DRBD_DRIVER_VERSION_OVERRIDE: '9.0.0' } : {};
}

/** The job note of one drbdadm call in dry-run mode; `args` are drbdadm's arguments without `-c` and `-d`. */
export const drbdDryRunNote = 'Configured DRBD dry-run mode (servers.drbdDryRun): `{command}` ran as {host} and printed these calls without making them: {commands}';

/** The calls a dry run printed, one per line. */
export function printedCalls(stdout: string): string[] {
  return stdout.trim().split('\n').filter((l) => l.trim() !== '');
}

/** The vars of `drbdDryRunNote`. */
export function drbdDryRunVars(args: readonly string[], host: string, calls: readonly string[]): { args: string; command: string; host: string; commands: string } {
  return { args: args.join(' '), command: `drbdadm -d ${args.join(' ')}`, host, commands: calls.join('; ') };
}
