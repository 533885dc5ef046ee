/**
 * Running pcs and pacemaker's tools on CIB files, as the agent does on a node, in a private mount
 * namespace where /usr/sbin also holds the `fence_delay` agent from cluster/fence-delay/ (pcs and
 * the fencer read an agent's metadata from /usr/sbin; the overlay leaves the machine untouched).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { runCommand, type CommandResult } from '../../../striker/core/command/run-command.js';
import type { PcsOperation } from '../../../cluster/cib-plan.js';

export const fenceDelayDir = resolve('cluster/fence-delay');

export const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** Shell lines that make the mount namespace private and put fence_delay into /usr/sbin. */
export function sandboxPrelude(): string[] {
  return ['set -eu', 'mount --make-rprivate /', `mount -t overlay overlay -o lowerdir=${fenceDelayDir}:/usr/sbin /usr/sbin`];
}

/** Runs `lines` (after the prelude) with bash in a new mount (and, with `net`, network) namespace. */
export async function runSandboxed(lines: readonly string[], options: { net?: boolean; timeoutMs?: number } = {}): Promise<CommandResult> {
  const script = join(mkdtempSync(join(tmpdir(), 'pcs-sandbox-')), 'run.sh');
  writeFileSync(script, `${[...sandboxPrelude(), ...lines].join('\n')}\n`);
  return runCommand(['unshare', '--mount', ...(options.net ? ['--net'] : []), '--fork', 'bash', script], { timeoutMs: options.timeoutMs ?? 300_000 });
}

/** `cibadmin --empty` with the pair's nodes in <nodes>, as a running cluster has them. */
export async function emptyCib(file: string, nodes: readonly string[]): Promise<void> {
  const r = await runCommand(['cibadmin', '--empty'], { timeoutMs: 30_000 });
  writeFileSync(file, r.stdout);
  for (const [i, name] of nodes.entries()) {
    await runCommand(['cibadmin', '--create', '-o', 'nodes', '--xml-text', `<node id="${i + 1}" uname="${name}"/>`], { timeoutMs: 30_000, env: { CIB_file: file } });
  }
}

/** Applies the operations to the CIB file with `pcs -f`, in order; the first failure stops the run. */
export async function applyPcs(file: string, ops: readonly PcsOperation[]): Promise<CommandResult> {
  return runSandboxed(ops.map((op) => `pcs -f ${quote(file)} ${op.args.map(quote).join(' ')}`));
}
