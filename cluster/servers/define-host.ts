/**
 * The `server.define` host job: a version of a server's definition made the node's own.
 *
 * The node's definition now (`virsh dumpxml --inactive`) must be one this version may replace: the
 * version the node last held (its definition state), this version itself, or a side of the
 * conflict a person settled (`replaces`). Anything else is a change made on this node that Striker
 * has not seen yet: it is not overwritten — the job fails saying so, and the node's definition
 * watch reports the change, which Striker then records as a conflict.
 *
 * Otherwise the XML is written to a 0600 file in a private temporary directory and `virsh define`d,
 * then kept as the definitions directory's file (the resource agent's `config`, which it defines
 * from when the domain is absent on the node) and the state records the version and its hash.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CommandRunner } from '../../striker/core/command/run-command.js';
import type { HostJobPayload, HostJobResult, HostJobRunner } from '../../striker/agent/index.js';
import { readDefinitionState, writeDefinitionState, writeFileAtomically } from './definition-state.js';
import { definitionHash, readDomainXml } from './domain-definition.js';
import { defaultProvisionHostPaths, definitionPath, type ProvisionHostPaths } from './provision-host.js';

export type DefinePayload = HostJobPayload<'server.define'>;

export interface DefineHostDeps {
  run: CommandRunner;
  paths?: Partial<Pick<ProvisionHostPaths, 'definitionsDir' | 'stateDir'>>;
  /** libvirt's connection URI (`virsh -c`), when not the default. */
  libvirtUri?: string;
  /** Where the private temporary directory is made (default: the system's). */
  tempDir?: string;
  commandTimeoutMs?: number;
}

/** `virsh [-c uri] <args>`. */
export function virshArgv(libvirtUri: string | undefined, args: readonly string[]): string[] {
  return ['virsh', ...(libvirtUri ? ['-c', libvirtUri] : []), ...args];
}

/** The domain's inactive XML on this node, or undefined when the domain is not defined here. */
export async function inactiveXml(run: CommandRunner, libvirtUri: string | undefined, server: string, options: { timeoutMs: number; signal?: AbortSignal }): Promise<string | undefined> {
  const r = await run(virshArgv(libvirtUri, ['dumpxml', '--inactive', server]), { timeoutMs: options.timeoutMs, ...(options.signal ? { signal: options.signal } : {}), okExitCodes: [0, 1] });
  if (r.exitCode !== 0) {
    if (/failed to get domain|Domain not found|no domain with matching name/i.test(`${r.stderr}${r.stdout}`)) return undefined;
    throw new Error(`virsh dumpxml --inactive ${server} failed: ${(r.stderr || r.stdout).trim().slice(0, 500)}`);
  }
  return r.stdout;
}

export function serverDefineRunner(deps: DefineHostDeps): HostJobRunner<'server.define'> {
  const paths = { ...defaultProvisionHostPaths, ...deps.paths };
  const timeoutMs = deps.commandTimeoutMs ?? 60_000;
  return async (ctx) => {
    const p = ctx.payload;
    const declared = readDomainXml(p.xml);
    if (declared.name !== p.server) throw new Error(`version ${p.version} of ${p.server} defines a domain named ${declared.name}; refused`);
    if (definitionHash(p.xml) !== p.hash) throw new Error(`version ${p.version} of ${p.server} does not match its hash; refused`);
    const configFile = definitionPath(paths.definitionsDir, p.server);
    const state = await readDefinitionState(paths.stateDir, configFile, p.server);
    const now = await inactiveXml(deps.run, deps.libvirtUri, p.server, { timeoutMs, signal: ctx.signal });
    const nowHash = now === undefined ? undefined : definitionHash(now);
    if (nowHash !== undefined) {
      const replaceable = new Set([p.hash, ...p.replaces, ...(state === undefined ? [] : [state.hash])]);
      if (!replaceable.has(nowHash)) {
        throw new Error(`the definition of ${p.server} on this node changed since version ${state?.version ?? '?'} and Striker has not seen that change; `
          + `it is not overwritten with version ${p.version} (the node reports it, and Striker shows both)`);
      }
    }
    let defined = false;
    if (nowHash !== p.hash) {
      const dir = await mkdtemp(join(deps.tempDir ?? tmpdir(), 'striker-define-'));
      try {
        const file = join(dir, `${p.server}.xml`);
        await writeFile(file, p.xml, { mode: 0o600 });
        await deps.run(virshArgv(deps.libvirtUri, ['define', file]), { timeoutMs, signal: ctx.signal });
        defined = true;
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    }
    await writeFileAtomically(configFile, p.xml, 0o644);
    await writeDefinitionState(paths.stateDir, p.server, { version: p.version, hash: p.hash });
    return (defined
      ? { message: `Defined version ${p.version} of ${p.server} on this node` }
      : { message: `${p.server} on this node is version ${p.version} already; recorded it` }) satisfies HostJobResult;
  };
}
