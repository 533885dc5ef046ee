/**
 * The pre-boot check behind "ready" on a machine's page: render the host's kickstart, lint it and
 * the partitioning its `%pre` can write for every layout the rules allow, then resolve its
 * `%packages` against this Striker's mirror. A host whose check failed is not served a kickstart
 * (routes.ts). The CLI `striker kickstart check <host> --json` and the API print the result as is.
 */
import type { CommandRunner } from '../striker/command/run-command.js';
import { diskRulesByRole, planDisks, type DiskRules, type Firmware } from './disk-rules.js';
import type { KickstartInputDraft } from './kickstart-input.js';
import { lintKickstart } from './lint.js';
import { checkPackages, type CheckRepo } from './package-check.js';
import { describePackageProblem, packageRequestOf, type PackageProblem } from './package-problem.js';
import { renderPartInclude } from './part-include.js';
import { renderKickstart } from './render.js';

export interface CheckProblem {
  source: 'lint' | 'disk' | 'packages';
  /** Line in the kickstart (lint), 0 when not tied to a line. */
  line: number;
  message: string;
}

export interface KickstartCheck {
  status: 'ready' | 'failed';
  engine: 'dnf' | 'resolver';
  problems: CheckProblem[];
  packageProblems: PackageProblem[];
}

/** A token of the right shape: the check never issues a real one. */
const placeholderToken = 'srt_checkcheckcheckcheckcheckcheckcheckcheckche';

export function lintHost(draft: Omit<KickstartInputDraft, 'registration' | 'timelineUrl'>, rules?: DiskRules): CheckProblem[] {
  const text = renderKickstart({ ...draft, registration: { url: `${draft.strikerUrl}/ks/check/register`, token: placeholderToken }, timelineUrl: `${draft.strikerUrl}/ks/check/events` });
  const problems: CheckProblem[] = lintKickstart(text).problems.map((p) => ({ source: 'lint', line: p.line, message: `${p.severity}: ${p.message}` }));
  const r = rules ?? diskRulesByRole[draft.role];
  const size = r.rootMiB * 4;
  for (const count of [1, 2, 4, 6]) {
    for (const firmware of ['bios', 'efi'] as Firmware[]) {
      const disks = Array.from({ length: count }, (_, i) => ({ name: `sd${String.fromCharCode(97 + i)}`, sizeMiB: size, removable: false }));
      for (const p of lintKickstart(renderPartInclude(planDisks(disks, firmware, r)), { fragment: true }).problems) {
        problems.push({ source: 'disk', line: p.line, message: `${count} disk(s), ${firmware}: ${p.message}` });
      }
    }
  }
  return problems;
}

export async function checkHost(
  run: CommandRunner,
  draft: Omit<KickstartInputDraft, 'registration' | 'timelineUrl'>,
  repos: readonly CheckRepo[],
  options: { engine?: 'auto' | 'dnf' | 'resolver'; timeoutMs?: number; scratchDir?: string } = {},
): Promise<KickstartCheck> {
  const problems = lintHost(draft);
  const text = renderKickstart({ ...draft, registration: { url: `${draft.strikerUrl}/r`, token: placeholderToken }, timelineUrl: `${draft.strikerUrl}/e` });
  const engine = options.engine === 'auto' ? undefined : options.engine;
  const result = await checkPackages(run, repos, packageRequestOf(text), {
    ...(engine === undefined ? {} : { engine }),
    ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
    ...(options.scratchDir === undefined ? {} : { scratchDir: options.scratchDir }),
  });
  for (const p of result.problems) problems.push({ source: 'packages', line: 0, message: describePackageProblem(p) });
  const failed = problems.some((p) => p.source !== 'lint' || p.message.startsWith('error:'));
  return { status: failed ? 'failed' : 'ready', engine: result.engine, problems, packageProblems: result.problems };
}
