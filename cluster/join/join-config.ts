/**
 * How a subnode's agent forms the cluster (`cluster` in /etc/striker/agent.json, validated here
 * where the app injects the runner; absent means these defaults): the command that starts corosync
 * and pacemaker now and at every boot, where corosync's files live, and how long both nodes may
 * take to come online. Commands are argv arrays run through the command adapter, never a shell.
 */
import { z } from 'zod';
import { parseOrThrow } from '../../striker/core/validation/zod-problems.js';

const argv = z.array(z.string().min(1).max(4096)).min(1).max(64);

export const joinConfigSchema = z.strictObject({
  /** Starts the cluster stack now and enables it at boot. */
  startCommand: argv.default(['systemctl', 'enable', '--now', 'corosync', 'pacemaker']),
  /** Stops pacemaker, then corosync, on this node (`node.withdraw`): its resources stop or move away first. */
  stopCommand: argv.default(['pcs', 'cluster', 'stop']),
  /** Makes a running corosync read a changed corosync.conf. */
  reloadCommand: argv.default(['corosync-cfgtool', '-R']),
  /** Where corosync.conf and authkey are written. */
  corosyncDir: z.string().regex(/^\/[A-Za-z0-9_./-]*$/, 'must be an absolute path like /etc/corosync').default('/etc/corosync'),
  /** How long both nodes may take to be online (the daemons electing a DC, the peer booting). */
  onlineTimeoutSeconds: z.int().min(5).max(7200).default(900),
  /** Seconds between two looks at crm_mon while waiting. */
  pollSeconds: z.number().min(0.1).max(60).default(2),
  /** Milliseconds a single command (crm_mon, pcs, the start command) may take. */
  commandTimeoutMs: z.int().min(1000).max(600_000).default(180_000),
});

export type JoinConfig = Readonly<z.output<typeof joinConfigSchema>>;

export function parseJoinConfig(input: unknown): JoinConfig {
  return Object.freeze(parseOrThrow(joinConfigSchema, input ?? {}, 'cluster join configuration', 'cluster'));
}
