/**
 * What each host job kind does on the host. A runner receives its payload already validated
 * against the kind's schema (host-job-kinds.ts) and a context to report progress and messages;
 * every command goes through the argv command adapter. Power actions run only when the agent's
 * configuration sets `allowPowerActions: true` (`host.poweroff` runs its `powerOffCommand`,
 * `systemctl poweroff` by default); `host.configure-network` writes NetworkManager keyfiles (the
 * plan striker/setup renders for the Striker's own host) only when it sets `manageHost: true`.
 * Otherwise the job records its plan, each line saying "Planned, not applied (…): …", and ends as
 * a success that changed nothing (`noChange`), never as a plain "Finished".
 */
import type { Logger } from 'pino';
import type { CommandRunner } from '../core/command/run-command.js';
import { isBridged, planHostNetwork, type HostApplier, type KeyfileNetwork, type NetworkPlan } from '../setup/index.js';
import type { Inventory } from './inventory-schema.js';
import type { AgentRunKind, HostJobKind, HostJobPayload } from './host-job-kinds.js';
import { checkTools } from './tool-checks.js';

export interface HostJobContext<P> {
  jobId: string;
  payload: P;
  /** Aborted on cancellation, shutdown, or when the job was taken from this agent. */
  signal: AbortSignal;
  logger: Logger;
  /**
   * Raises progress (0-99, never backwards) with a message template and its variables. The job's
   * history keeps a report when its template or 10 % step is new, or when marked `milestone`.
   */
  progress(percent: number, message: string, vars?: Record<string, unknown>, options?: { milestone?: boolean }): Promise<void>;
  note(message: string, vars?: Record<string, unknown>, level?: 'info' | 'warn' | 'error'): Promise<void>;
  /**
   * Calls Striker's agent API with this agent's credential (a secret the job needs, its peer's
   * state): `path` under `/api/agent/`, the body as JSON; an error answer throws `AgentApiError`.
   */
  api<T>(method: 'GET' | 'POST', path: string, body?: object): Promise<T>;
}

/** What a job that succeeded says last (the job's message), when "Finished" would not tell the whole truth. */
export type HostJobResult =
  | { message: string }
  /** The job succeeded without changing anything on the host, and why (the UI says "Nothing changed: …"). */
  | { noChange: string };

export interface HostJobDeps {
  run: CommandRunner;
  allowPowerActions: boolean;
  /** The argv `host.poweroff` runs (`powerOffCommand` in agent.json); `powerCommands` when absent. */
  powerOffCommand?: readonly string[];
  /** Write network keyfiles and bring networks up (`manageHost` in agent.json). */
  manageHost: boolean;
  /** How files are written and commands run when `manageHost` is on. */
  applier: HostApplier;
  /** Collects the inventory now and sends it to Striker. */
  refreshInventory(): Promise<Inventory>;
}

export type HostJobRunner<K extends HostJobKind> = (ctx: HostJobContext<HostJobPayload<K>>) => Promise<HostJobResult | void>;

export type HostJobRunners = { [K in AgentRunKind]: HostJobRunner<K> };

/**
 * Runners of the kinds whose code lives in later areas (cluster formation, node and server
 * actions in cluster/): the app injects them (striker/app/agent-run.ts), and the agent claims a
 * kind of these only when it was given its runner.
 */
export type InjectedHostJobRunners = { [K in Exclude<HostJobKind, AgentRunKind>]?: HostJobRunner<K> };

export const NOT_APPLIED = 'recorded, not applied: host management is off';

/** Why a power action changed nothing when `allowPowerActions` is off. */
export const POWER_NOT_RUN = 'not run: power actions are off';

/** The prefix of every step line of a plan that is recorded but not carried out, and why. */
export const plannedNotApplied = (why: string) => `Planned, not applied (${why}): `;
const MANAGEMENT_OFF = plannedNotApplied('host management is off');
const POWER_OFF = plannedNotApplied('power actions are off');

/** The keyfile plan of a `host.configure-network` payload: bonds of the given NICs by MAC, bridges on BCN and IFN, DNS on the network with the gateway. */
export function hostNetworkPlan(p: HostJobPayload<'host.configure-network'>): NetworkPlan {
  const networks: KeyfileNetwork[] = p.networks.map((n) => {
    const kind = n.key.replace(/[0-9]+$/, '') as 'bcn' | 'sn' | 'ifn' | 'mn';
    return {
      key: n.key,
      title: n.key.toUpperCase(),
      address: `${n.address}/${n.prefixLength}`,
      gateway: n.gateway,
      dns: n.gateway !== undefined && p.dns.length > 0 ? { servers: p.dns, search: p.domain ?? '' } : undefined,
      mtu: n.mtu,
      bridged: isBridged(kind),
      links: n.macs.map((mac, i) => ({ name: `${n.key}_link${i + 1}`, mac })),
    };
  });
  return planHostNetwork({ hostName: p.domain === undefined || p.hostName.includes('.') ? p.hostName : `${p.hostName}.${p.domain}`, networks });
}

/** The command each power action runs. */
export const powerCommands: Readonly<Record<'host.reboot' | 'host.poweroff', readonly string[]>> = {
  'host.reboot': ['systemctl', 'reboot'],
  'host.poweroff': ['systemctl', 'poweroff'],
};

export function hostJobRunners(deps: HostJobDeps): HostJobRunners {
  const power = (kind: 'host.reboot' | 'host.poweroff') => async (ctx: HostJobContext<HostJobPayload<typeof kind>>): Promise<HostJobResult> => {
    const argv = kind === 'host.poweroff' ? deps.powerOffCommand ?? powerCommands[kind] : powerCommands[kind];
    const command = argv.join(' ');
    if (!deps.allowPowerActions) {
      await ctx.note(`${POWER_OFF}run {command}; set allowPowerActions to true in agent.json to act`, { command, reason: ctx.payload.reason ?? '' });
      return { noChange: POWER_NOT_RUN };
    }
    await ctx.progress(50, 'Running {command}', { command, reason: ctx.payload.reason ?? '' });
    await deps.run(argv, { timeoutMs: 60_000, signal: ctx.signal });
    return { message: `Ran ${command}` };
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
    'host.configure-network': async (ctx) => {
      const plan = hostNetworkPlan(ctx.payload);
      const steps = plan.files.length + plan.commands.length;
      const apply = deps.manageHost;
      await ctx.progress(5, apply ? 'Configuring {networks} networks of {hostName}' : 'Planning {networks} networks of {hostName} (host management is off: nothing on this host changes)', {
        networks: ctx.payload.networks.map((n) => n.key).join(', '),
        hostName: plan.hostName,
      });
      let done = 0;
      const advance = () => 5 + Math.floor((++done / steps) * 90);
      for (const file of plan.files) {
        if (apply) await deps.applier.writeFile(file.path, file.content, file.mode);
        await ctx.progress(advance(), `${apply ? 'Wrote' : `${MANAGEMENT_OFF}write`} {path} ({why})`, { path: file.path, why: file.why }, { milestone: true });
      }
      for (const command of plan.commands) {
        if (apply) await deps.applier.run(command.argv, ctx.signal);
        await ctx.progress(advance(), `${apply ? 'Ran' : `${MANAGEMENT_OFF}run`} {command} ({why})`, { command: command.argv.join(' '), why: command.why }, { milestone: true });
      }
      if (!apply) {
        await ctx.note(`${NOT_APPLIED}; set manageHost to true in agent.json to apply`, { files: plan.files.length, commands: plan.commands.length });
        return { noChange: NOT_APPLIED };
      }
      return { message: `Applied ${plan.files.length} files and ${plan.commands.length} commands` };
    },
  };
}
