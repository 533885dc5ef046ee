/**
 * What a node knows of a server's definition: the version it holds and that version's hash,
 * recorded in `<stateDir>/<name>.definition.json` by `server.define` and by the definition watch
 * when Striker took the node's change. A node provisioned before it had this file holds version 1,
 * the XML provisioning wrote to the definitions directory. `reportedHash` is a change of this node
 * that Striker recorded as a conflict: it is not reported again.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { definitionHash } from './domain-definition.js';

export interface DefinitionState {
  version: number;
  hash: string;
  reportedHash?: string | undefined;
}

export function definitionStatePath(stateDir: string, server: string): string {
  return join(stateDir, `${server}.definition.json`);
}

/** The recorded state, or version 1 from the definitions directory's file; undefined when neither exists. */
export async function readDefinitionState(stateDir: string, definitionFile: string, server: string): Promise<DefinitionState | undefined> {
  const text = await readFile(definitionStatePath(stateDir, server), 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw error;
  });
  if (text !== undefined) {
    const parsed = JSON.parse(text) as Partial<DefinitionState>;
    if (typeof parsed.version === 'number' && typeof parsed.hash === 'string') {
      return { version: parsed.version, hash: parsed.hash, ...(typeof parsed.reportedHash === 'string' ? { reportedHash: parsed.reportedHash } : {}) };
    }
  }
  const provisioned = await readFile(definitionFile, 'utf8').catch(() => undefined);
  if (provisioned === undefined) return undefined;
  return { version: 1, hash: definitionHash(provisioned) };
}

/** Writes a file whole or not at all (a temporary file renamed over it). */
export async function writeFileAtomically(path: string, text: string, mode: number): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const temp = `${path}.tmp`;
  await writeFile(temp, text, { mode });
  await rename(temp, path);
}

export async function writeDefinitionState(stateDir: string, server: string, state: DefinitionState): Promise<void> {
  await writeFileAtomically(definitionStatePath(stateDir, server), `${JSON.stringify(state)}\n`, 0o600);
}
