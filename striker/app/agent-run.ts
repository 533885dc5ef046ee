/**
 * `striker agent`: loads /etc/striker/agent.json and agent-credentials.json (paths given by the
 * caller), makes the logger and the agent runtime, and runs it until `stop` is called. Both entry
 * points call this: agent-main.ts (the bundled agent on hosts) and the `striker agent` verb of the
 * CLI. Only the ground, the agent area, undici, zod and node built-ins are reached from here, so
 * the agent bundles to one file without fastify, PostgreSQL or the native PXE addons.
 */
import { runCommand } from '../core/command/run-command.js';
import { createLogger, type LogLevel } from '../core/log.js';
import { hostname } from 'node:os';
// Straight from the files, not ScanCore's index: the agent's bundle must not reach fastify or PostgreSQL.
import { hostScanLoop, hostScanTargets } from '../../cluster/scancore/scan-loop.js';
import { parseScancoreConfig } from '../../cluster/scancore/scancore-config.js';
import { defaultClusterActionTiming, serversRunners } from '../../cluster/actions/servers-runners.js';
import { serverProvisionRunner } from '../../cluster/servers/provision-host.js';
import { drHostRunners } from '../../cluster/dr/dr-host-runners.js';
import { syncWaitRunner } from '../../cluster/dr/sync-wait-runner.js';
import { readMigrationLog } from '../../cluster/servers/migration-log.js';
import { serverDefineRunner } from '../../cluster/servers/define-host.js';
import { checkDefinitions } from '../../cluster/servers/definition-watch.js';
import type { DefinitionReportAnswer } from '../../cluster/servers/server-record.js';
import { nodeJobRunners } from '../../cluster/ops/node-runners.js';
import { fileFetchRunner, parseFileFetchConfig } from '../../cluster/files/file-fetch.js';
import { collectClusterReport, withClusterReport } from '../../cluster/ops/cluster-collector.js';
import { readFile } from 'node:fs/promises';
import { clusterJoinRunner } from '../../cluster/join/join-runner.js';
import { parseJoinConfig } from '../../cluster/join/join-config.js';
import { AgentRuntime, StrikerClient, collectInventory, defaultAgentConfigPath, defaultCredentialsPath, loadAgentConfig, loadAgentCredentials } from '../agent/host.js';

export interface AgentRunOptions {
  configPath?: string | undefined;
  credentialsPath?: string | undefined;
  /** Overrides the configuration's logLevel. */
  logLevel?: LogLevel | undefined;
  version: string;
}

export interface RunningAgent {
  /** Resolves once the agent stopped. */
  done: Promise<void>;
  stop(): Promise<void>;
}

/** Loads the files (failing with a clear error before anything starts) and starts the agent. */
export async function startAgent(options: AgentRunOptions): Promise<RunningAgent> {
  const config = await loadAgentConfig(options.configPath ?? defaultAgentConfigPath);
  const credentialsPath = options.credentialsPath ?? defaultCredentialsPath;
  const credentials = await loadAgentCredentials(credentialsPath, config.hostId);
  // ScanCore's scan loop, injected here because ScanCore (cluster/) comes after the agent area.
  const scancore = parseScancoreConfig(config.scancore ?? {});
  // Cluster formation (cluster/join/), a later area's runner: the agent claims cluster.join because it is given it.
  const join = parseJoinConfig(config.cluster ?? {});
  const logger = createLogger({ level: options.logLevel ?? config.logLevel, redactPaths: ['credential', '*.credential'] });
  const nodeRunners = nodeJobRunners({ run: runCommand, stopCommand: join.stopCommand });
  const scanLoop = hostScanLoop({
    hostName: hostname(),
    targets: async () => hostScanTargets(await collectInventory({ run: runCommand }), config.role),
    config: scancore,
    run: runCommand,
  });
  // With each scan a node also reports its servers' definitions changed on it (cluster/servers),
  // on a client of its own with the credential read afresh (it may have been rotated).
  const client = new StrikerClient({ urls: config.strikerUrls, credential: credentials.credential, logger: logger.child({ hostId: config.hostId, component: 'definition-watch' }) });
  const watchDefinitions = async (signal: AbortSignal) => {
    client.setCredential((await loadAgentCredentials(credentialsPath, config.hostId)).credential);
    const checks = await checkDefinitions({
      run: runCommand,
      // Bounded: with no Striker answering, the scan goes on and the change is reported next time.
      report: (server, body) => client.call<DefinitionReportAnswer>('POST', `/api/agent/servers/${encodeURIComponent(server)}/definition`, body, { signal: AbortSignal.any([signal, AbortSignal.timeout(30_000)]) }),
      timeoutMs: scancore.scan.commandTimeoutMs,
    }, signal);
    for (const c of checks) {
      if (c.outcome === 'failed') logger.warn({ server: c.server, error: c.error }, 'could not check or report the server definition');
      else if (c.outcome !== 'same' && c.outcome !== 'absent') logger.info({ server: c.server, outcome: c.outcome, version: c.version }, 'reported a changed server definition');
    }
  };
  // A node's scan report also carries its view of the cluster (cluster/ops), kept per pair by
  // Striker, and the servers' migrations its resource agent recorded (cluster/servers).
  const clusterReport = async (signal: AbortSignal) => {
    await watchDefinitions(signal).catch((error: unknown) => {
      if (!signal.aborted) logger.warn({ err: error }, 'could not check the server definitions');
    });
    const report = await collectClusterReport({
      run: runCommand,
      readFile: (path) => readFile(path, 'utf8').catch(() => undefined),
      hostName: hostname(),
      timeoutMs: scancore.scan.commandTimeoutMs,
    }, signal);
    if (report === undefined) return undefined;
    const migrations = await readMigrationLog().catch((error: unknown) => {
      logger.warn({ err: error }, 'could not read the server migration log');
      return [];
    });
    return migrations.length === 0 ? report : { ...report, migrations };
  };
  const runtime = new AgentRuntime({
    config,
    credentials,
    version: options.version,
    logger,
    run: runCommand,
    collectInventory: () => collectInventory({ run: runCommand }),
    reloadCredentials: () => loadAgentCredentials(credentialsPath, config.hostId),
    scanLoop: config.role === 'node' ? withClusterReport(scanLoop, clusterReport) : scanLoop,
    // Runners of kinds whose code lives in cluster/ (a later area than the agent).
    injectedRunners: {
      'cluster.join': clusterJoinRunner({ run: runCommand, config: join }),
      ...serversRunners({ run: runCommand, ...defaultClusterActionTiming }),
      'server.provision': serverProvisionRunner({ run: runCommand }),
      'server.define': serverDefineRunner({ run: runCommand }),
      ...drHostRunners({ run: runCommand }),
      'dr.sync-wait': syncWaitRunner({ run: runCommand }),
      'node.standby': nodeRunners['node.standby'],
      'node.unstandby': nodeRunners['node.unstandby'],
      'node.withdraw': nodeRunners['node.withdraw'],
      'node.join': nodeRunners['node.join'],
      // Files synced to hosts (cluster/files): fetched from the Strikers this agent knows, with its credential.
      'file.fetch': fileFetchRunner({ ...parseFileFetchConfig(config.files), strikerUrls: config.strikerUrls, credential: async () => (await loadAgentCredentials(credentialsPath, config.hostId)).credential }),
    },
  });
  logger.info({ hostId: config.hostId, strikers: config.strikerUrls, version: options.version }, 'striker agent starting');
  let resolveDone!: () => void;
  const done = new Promise<void>((r) => (resolveDone = r));
  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= runtime.stop(10_000).then(async () => {
      await client.close().catch(() => undefined);
      logger.info('striker agent stopped');
      resolveDone();
    });
    return stopping;
  };
  runtime.start().catch((error: unknown) => {
    if (stopping) return;
    logger.error({ err: error }, 'striker agent could not start');
    void stop();
  });
  return { done, stop };
}
