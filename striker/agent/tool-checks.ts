/**
 * `host.run-checks`: which cluster tools the host has (pcs, drbdadm, virsh, fence_ipmilan,
 * ipmitool, crm_mon) and their versions. Each tool is asked for its version through the command
 * adapter; one that cannot be started is absent, one that starts but answers oddly is present
 * with no version. The version parsing is pure.
 */
import type { CommandRunner } from '../core/command/run-command.js';
import { CommandError } from '../core/command/command-error.js';

export interface ToolSpec {
  tool: string;
  argv: readonly string[];
  /** The version in the tool's output (stdout then stderr). */
  version: RegExp;
}

export const checkedTools: readonly ToolSpec[] = [
  { tool: 'pcs', argv: ['pcs', '--version'], version: /^(\d+\.\d+[\w.+-]*)/m },
  { tool: 'drbdadm', argv: ['drbdadm', '--version'], version: /^DRBDADM_VERSION=(\S+)/m },
  { tool: 'virsh', argv: ['virsh', '--version'], version: /^(\d+\.\d+[\w.+-]*)/m },
  { tool: 'fence_ipmilan', argv: ['fence_ipmilan', '--version'], version: /^(\d+\.\d+[\w.+-]*)/m },
  { tool: 'ipmitool', argv: ['ipmitool', '-V'], version: /^ipmitool version (\S+)/m },
  { tool: 'crm_mon', argv: ['crm_mon', '--version'], version: /^Pacemaker (\S+)/m },
];

export interface ToolCheck {
  tool: string;
  present: boolean;
  version: string | null;
}

/** The version a tool printed, or null. */
export function versionIn(spec: ToolSpec, output: string): string | null {
  return spec.version.exec(output)?.[1] ?? null;
}

export async function checkTools(run: CommandRunner, signal?: AbortSignal): Promise<ToolCheck[]> {
  return Promise.all(
    checkedTools.map(async (spec): Promise<ToolCheck> => {
      try {
        const r = await run(spec.argv, { timeoutMs: 15_000, okExitCodes: [0, 1, 2], ...(signal ? { signal } : {}) });
        return { tool: spec.tool, present: true, version: versionIn(spec, `${r.stdout}\n${r.stderr}`) };
      } catch (error) {
        if (error instanceof CommandError && error.failure === 'spawn') return { tool: spec.tool, present: false, version: null };
        if (error instanceof CommandError && error.failure === 'exit') return { tool: spec.tool, present: true, version: versionIn(spec, `${error.stdout}\n${error.stderr}`) };
        throw error;
      }
    }),
  );
}
