/**
 * Reads a node's cluster for its scan report (`ClusterReport`): every source through the command
 * adapter as an argv array with a time limit; a source that fails is reported with its error and
 * the others are still read, so a node whose pacemaker is stopped still says so (and still shows
 * its links). A host with no /etc/corosync/corosync.conf is not in a cluster yet: nothing is
 * reported.
 */
import type { CommandRunner } from '../../striker/core/command/run-command.js';
import { parseCrmMon } from '../crm-mon-parser.js';
import { readCibFencing } from '../reconcile.js';
import { crmMonArgv } from '../scancore/agents/cluster-agent.js';
import type { ClusterReport, Reading } from './cluster-report.js';
import { fenceDevices } from './fence-devices.js';
import { fenceHistoryArgv, parseFenceHistory } from './fence-history.js';
import { parseCfgtoolStatus } from './knet-links.js';

export const corosyncConfPath = '/etc/corosync/corosync.conf';

export interface ClusterCollectorDeps {
  run: CommandRunner;
  /** Reads a file's text; undefined when it does not exist. */
  readFile: (path: string) => Promise<string | undefined>;
  /** The host's name, used as the node name when crm_node cannot say. */
  hostName: string;
  timeoutMs: number;
}

/** corosync.conf's `totem { cluster_name: … }`. */
export function clusterNameOf(corosyncConf: string): string | undefined {
  return /^\s*cluster_name\s*:\s*(\S+)\s*$/m.exec(corosyncConf)?.[1];
}

const message = (error: unknown) => (error instanceof Error ? error.message : String(error)).slice(0, 2000);

async function read<T>(f: () => Promise<T>): Promise<Reading<T>> {
  try {
    return { value: await f() };
  } catch (error) {
    return { error: message(error) };
  }
}

export async function collectClusterReport(deps: ClusterCollectorDeps, signal?: AbortSignal): Promise<ClusterReport | undefined> {
  const conf = await deps.readFile(corosyncConfPath);
  const anvil = conf === undefined ? undefined : clusterNameOf(conf);
  if (anvil === undefined) return undefined;
  const options = { timeoutMs: deps.timeoutMs, ...(signal === undefined ? {} : { signal }) };
  const run = async (argv: readonly string[]) => (await deps.run(argv, options)).stdout;
  const node = (await run(['crm_node', '-n']).catch(() => '')).trim() || deps.hostName;
  const crmMon = await read(() => run(crmMonArgv));
  const state = 'value' in crmMon ? await read(async () => parseCrmMon(crmMon.value)) : crmMon;
  return {
    anvil,
    node,
    state,
    links: await read(async () => parseCfgtoolStatus(await run(['corosync-cfgtool', '-s']))),
    fenceHistory: await read(async () => parseFenceHistory(await run(fenceHistoryArgv))),
    fenceDevices: 'value' in crmMon ? await read(async () => fenceDevices(readCibFencing(await run(['cibadmin', '--query'])), crmMon.value)) : crmMon,
  };
}

/** A scan loop (ScanCore's, on a cluster node) whose reports also carry the node's `cluster` report. */
export function withClusterReport<R extends object>(
  loop: { intervalSeconds: number; scan(signal: AbortSignal): Promise<R> },
  collect: (signal: AbortSignal) => Promise<ClusterReport | undefined>,
): { intervalSeconds: number; scan(signal: AbortSignal): Promise<R & { cluster?: ClusterReport }> } {
  return {
    intervalSeconds: loop.intervalSeconds,
    async scan(signal) {
      const [report, cluster] = await Promise.all([loop.scan(signal), collect(signal)]);
      return cluster === undefined ? report : { ...report, cluster };
    },
  };
}
