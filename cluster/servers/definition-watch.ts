/**
 * The agent's side of definitions flowing back: with each scan, a node compares each of its
 * servers' domains (`virsh dumpxml --inactive`) with the version it holds (definition-state.ts)
 * and reports a changed one to Striker (`POST /api/agent/servers/:name/definition` with the
 * version it started from, and that version's XML when it is version 1). The servers are those provisioning left a definition for in the
 * definitions directory; a domain not defined on this node (it was migrated away) is skipped.
 *
 * Compared normalised (domain-definition.ts), so libvirt's own additions are no change. Striker's
 * answer moves the node on: taken (`accepted`) or already known (`unchanged`), the node now holds
 * that version — the definitions directory's file (the resource agent's `config`) becomes the
 * node's XML and the state records the version; recorded as a `conflict`, the change is not sent
 * again (the person settling it decides). A refused or failed report is tried again next scan.
 * Pure of the agent runtime: the command runner and the report call are given.
 */
import { readdir, readFile } from 'node:fs/promises';
import type { CommandRunner } from '../../striker/core/command/run-command.js';
import type { DefinitionReportAnswer } from './server-record.js';
import { readDefinitionState, writeDefinitionState, writeFileAtomically } from './definition-state.js';
import { inactiveXml } from './define-host.js';
import { definitionHash } from './domain-definition.js';
import { defaultProvisionHostPaths, definitionPath, type ProvisionHostPaths } from './provision-host.js';
import { serverNamePattern } from './server-names.js';

export interface DefinitionWatchDeps {
  run: CommandRunner;
  /** Reports one server's changed definition; Striker's answer. */
  report: (server: string, body: DefinitionReportBody) => Promise<DefinitionReportAnswer>;
  paths?: Partial<Pick<ProvisionHostPaths, 'definitionsDir' | 'stateDir'>>;
  libvirtUri?: string;
  timeoutMs?: number;
}

/**
 * A report: the version the node held, its XML now, and, when it held version 1, that version's XML
 * (the definitions directory's file), from which Striker records version 1 when it has none.
 */
export interface DefinitionReportBody {
  baseVersion: number;
  xml: string;
  baseXml?: string;
}

export interface DefinitionCheck {
  server: string;
  outcome: 'same' | 'absent' | DefinitionReportAnswer['outcome'] | 'failed';
  version?: number;
  error?: string;
}

/** The servers provisioned on this node: a `<name>.xml` in the definitions directory. */
async function provisionedServers(definitionsDir: string): Promise<string[]> {
  const entries = await readdir(definitionsDir).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return [] as string[];
    throw error;
  });
  return entries.filter((f) => f.endsWith('.xml')).map((f) => f.slice(0, -4)).filter((n) => serverNamePattern.test(n)).sort();
}

/** One pass over this node's servers; what happened to each. */
export async function checkDefinitions(deps: DefinitionWatchDeps, signal?: AbortSignal): Promise<DefinitionCheck[]> {
  const paths = { ...defaultProvisionHostPaths, ...deps.paths };
  const timeoutMs = deps.timeoutMs ?? 30_000;
  const out: DefinitionCheck[] = [];
  for (const server of await provisionedServers(paths.definitionsDir)) {
    signal?.throwIfAborted();
    const configFile = definitionPath(paths.definitionsDir, server);
    try {
      const state = await readDefinitionState(paths.stateDir, configFile, server);
      if (state === undefined) continue;
      const xml = await inactiveXml(deps.run, deps.libvirtUri, server, { timeoutMs, ...(signal ? { signal } : {}) });
      if (xml === undefined) {
        out.push({ server, outcome: 'absent' });
        continue;
      }
      const hash = definitionHash(xml);
      if (hash === state.hash || hash === state.reportedHash) {
        out.push({ server, outcome: 'same', version: state.version });
        continue;
      }
      const baseXml = state.version === 1 ? await readFile(configFile, 'utf8').catch(() => undefined) : undefined;
      const answer = await deps.report(server, { baseVersion: state.version, xml, ...(baseXml === undefined ? {} : { baseXml }) });
      if (answer.outcome === 'conflict') {
        await writeDefinitionState(paths.stateDir, server, { ...state, reportedHash: hash });
      } else {
        await writeFileAtomically(configFile, xml, 0o644);
        await writeDefinitionState(paths.stateDir, server, { version: answer.version, hash });
      }
      out.push({ server, outcome: answer.outcome, version: answer.version });
    } catch (error) {
      if (signal?.aborted) throw error;
      out.push({ server, outcome: 'failed', error: error instanceof Error ? error.message : String(error) });
    }
  }
  return out;
}
