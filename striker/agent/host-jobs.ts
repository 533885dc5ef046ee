/**
 * What each host job kind does on the host. A runner receives its payload already validated
 * against the kind's schema (host-job-kinds.ts) and a context to report progress and messages;
 * every command goes through the argv command adapter. Power actions are dry runs (a message
 * saying what would run) unless the agent's configuration sets `allowPowerActions: true`.
 */
import type { Logger } from 'pino';
import type { CommandRunner } from '../core/command/run-command.js';
import type { Inventory } from './inventory-schema.js';
import type { HostJobKind, HostJobPayload } from './host-job-kinds.js';
import { checkTools } from './tool-checks.js';

export interface HostJobContext<P> {
  jobId: string;
  payload: P;
  /** Aborted on cancellation, shutdown, or when the job was taken from this agent. */
  signal: AbortSignal;
  logger: Logger;
  /** Raises progress (0-99, never backwards) with a message template and its variables. */
  progress(percent: number, message: string, vars?: Record<string, unknown>): Promise<void>;
  note(message: string, vars?: Record<string, unknown>, level?: 'info' | 'warn' | 'error'): Promise<void>;
}

export interface HostJobDeps {
  run: CommandRunner;
  allowPowerActions: boolean;
  /** Collects the inventory now and sends it to Striker. */
  refreshInventory(): Promise<Inventory>;
}

export type HostJobRunners = { [K in HostJobKind]: (ctx: HostJobContext<HostJobPayload<K>>) => Promise<void> };

/** The command each power action runs. */
export const powerCommands: Readonly<Record<'host.reboot' | 'host.poweroff', readonly string[]>> = {
  'host.reboot': ['systemctl', 'reboot'],
  'host.poweroff': ['systemctl', 'poweroff'],
};

export function hostJobRunners(deps: HostJobDeps): HostJobRunners {
  const power = (kind: 'host.reboot' | 'host.poweroff') => async (ctx: HostJobContext<HostJobPayload<typeof kind>>) => {
    const argv = powerCommands[kind];
    const command = argv.join(' ');
    if (!deps.allowPowerActions) {
      await ctx.note('Dry run: would run {command}; set allowPowerActions to true in agent.json to act', { command, reason: ctx.payload.reason ?? '' });
      return;
    }
    await ctx.progress(50, 'Running {command}', { command, reason: ctx.payload.reason ?? '' });
    await deps.run(argv, { timeoutMs: 60_000, signal: ctx.signal });
  };
  return {
    'host.inventory': async (ctx) => {
      await ctx.progress(10, 'Collecting the inventory');
      const inventory = await deps.refreshInventory();
      await ctx.note('Inventory sent: {disks} disks, {nics} interfaces, {cpus} CPUs', {
        disks: inventory.disks.length,
        nics: inventory.nics.length,
        cpus: inventory.cpu.count,
      });
    },
    'host.run-checks': async (ctx) => {
      await ctx.progress(10, 'Looking for the cluster tools');
      const tools = await checkTools(deps.run, ctx.signal);
      const found = tools.filter((t) => t.present);
      await ctx.note('Found {found} of {total} tools: {list}', {
        found: found.length,
        total: tools.length,
        list: found.map((t) => `${t.tool} ${t.version ?? '(version unknown)'}`).join(', ') || 'none',
        tools,
      });
    },
    'host.reboot': power('host.reboot'),
    'host.poweroff': power('host.poweroff'),
  };
}
