/**
 * The fence agents installed on this machine (fence-agents puts them in /usr/sbin on Debian and
 * EL), as `striker serve` and the CLI both use them: one catalog cached under the data directory,
 * the manifest's fence parameter check built on it, and `ready`, which reads every agent's metadata
 * once (later calls share that read) so no installed agent is reported missing while it loads.
 */
import { join, resolve } from 'node:path';
import type { Logger } from 'pino';
import { runCommand } from '../../core/command/run-command.js';
import { FenceAgentCatalog } from './fence-agent-catalog.js';
import { fenceParameterCheck, type FenceParameterCheck } from './fence-form.js';

export const FENCE_AGENT_DIR = '/usr/sbin';

export interface InstalledFenceAgents {
  catalog: FenceAgentCatalog;
  check: FenceParameterCheck;
  ready(): Promise<unknown>;
}

/** `onLoadError`: what a failed read does (serve logs it and goes on); without it, `ready` rejects. */
export function installedFenceAgents(dataDir: string, options: { log?: Logger; onLoadError?: (error: unknown) => void } = {}): InstalledFenceAgents {
  const catalog = new FenceAgentCatalog({ run: runCommand, agentDir: FENCE_AGENT_DIR, cacheDir: join(resolve(dataDir), 'fence-agents'), ...(options.log ? { log: options.log } : {}) });
  let loading: Promise<unknown> | undefined;
  const onLoadError = options.onLoadError;
  return {
    catalog,
    check: fenceParameterCheck((agent) => catalog.known(agent)),
    ready: () => (loading ??= onLoadError ? catalog.load().catch(onLoadError) : catalog.load()),
  };
}
