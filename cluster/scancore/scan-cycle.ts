/**
 * One scan cycle for one host: every agent that applies, is meant to run here (`host` agents on
 * the node, `striker` agents on the Striker) and is not disabled for the host, one after another,
 * each stopped at its time limit. An agent that fails or overruns gives no readings — only a
 * `scan.agent` reading saying why — so a stale or half-read source never passes for a good one.
 */
import type { CommandRunner } from '../../striker/core/command/run-command.js';
import { scanAgents } from './agents/registry.js';
import type { AgentName, ClusterStatusParser, ScanAgent, ScanTargets } from './agents/scan-agent.js';
import type { Reading } from './reading.js';
import type { ScancoreConfig } from './scancore-config.js';

export interface HostScanPlan {
  hostName: string;
  targets: ScanTargets;
  /** Which side is running the cycle. */
  runningOn: 'host' | 'striker';
}

export interface AgentOutcome {
  agent: AgentName;
  ok: boolean;
  readings: number;
  error?: string;
}

export interface ScanCycleResult {
  readings: Reading[];
  outcomes: AgentOutcome[];
}

export interface ScanCycleDeps {
  run: CommandRunner;
  config: ScancoreConfig;
  parseClusterStatus?: ClusterStatusParser;
  agents?: Readonly<Record<string, ScanAgent>>;
}

/** The agents this plan runs, in registry order. */
export function agentsFor(plan: HostScanPlan, config: ScancoreConfig, agents: Readonly<Record<string, ScanAgent>> = scanAgents): ScanAgent[] {
  const disabled = new Set(config.scan.disabledAgents[plan.hostName] ?? []);
  return Object.values(agents).filter((a) => a.runsOn === plan.runningOn && !disabled.has(a.name) && a.applies(plan.targets));
}

export async function runScanCycle(plan: HostScanPlan, deps: ScanCycleDeps): Promise<ScanCycleResult> {
  const readings: Reading[] = [];
  const outcomes: AgentOutcome[] = [];
  for (const agent of agentsFor(plan, deps.config, deps.agents)) {
    const limit = deps.config.scan.agentTimeLimitMs;
    const controller = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const overrun = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        controller.abort();
        reject(new Error(`did not finish within its time limit of ${limit} ms`));
      }, limit);
    });
    try {
      const found = await Promise.race([
        agent.scan({ run: deps.run, timeoutMs: Math.min(deps.config.scan.commandTimeoutMs, limit), targets: plan.targets, parseClusterStatus: deps.parseClusterStatus, signal: controller.signal }),
        overrun,
      ]);
      readings.push(...found);
      outcomes.push({ agent: agent.name, ok: true, readings: found.length });
    } catch (error) {
      const message = (error as Error).message;
      readings.push({ agent: agent.name, metric: 'scan.agent', subject: agent.name, value: null, status: 'unknown', message: `${agent.name} scan failed: ${message}` });
      outcomes.push({ agent: agent.name, ok: false, readings: 0, error: message });
    } finally {
      clearTimeout(timer);
    }
  }
  return { readings, outcomes };
}
