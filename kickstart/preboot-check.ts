/**
 * The pre-boot check behind "ready" on a machine's page: render the host's kickstart, lint it and
 * the partitioning its `%pre` can write for every layout the rules allow, then resolve its
 * `%packages` against this Striker's mirror. A host whose check failed is not served a kickstart
 * (routes.ts). The CLI `striker kickstart check <host> --json` and the API print the result as is.
 *
 * "ready" follows the linter's verdicts: any lint error, in the kickstart or in the partitioning of
 * any layout, fails the check. A lint warning (a deprecated command or option, a duplicate name
 * pykickstart only warns about) is listed but does not fail it: Anaconda logs warnings and goes
 * on, and Striker's boot entries do not pass `inst.ksstrict`, the one switch that makes them fatal.
 */
import type { CommandRunner } from '../striker/core/command/run-command.js';
import { diskRulesByRole, planDisks, type DiskRules, type Firmware } from './disk-rules.js';
import type { KickstartInputDraft } from './kickstart-input.js';
import { lintKickstart } from './lint.js';
import { checkPackages, type CheckRepo } from './package-check.js';
import { describePackageProblem, packageRequestOf, type PackageProblem } from './package-problem.js';
import { renderPartInclude } from './part-include.js';
import { renderKickstart } from './render.js';

export interface CheckProblem {
  /** `draft`: the machine's facts are incomplete, so no kickstart could be rendered. */
  source: 'draft' | 'lint' | 'disk' | 'packages';
  /** An error fails the check; a warning is reported only. */
  severity: 'error' | 'warning';
  /** Line in the kickstart (lint) or in the partition include (disk), 0 when not tied to a line. */
  line: number;
  message: string;
}

/** The layouts the pre-boot check lints the partitioning of: disk counts × firmware. */
const checkedDiskCounts = [1, 2, 4, 6, 8] as const;
const checkedFirmware: readonly Firmware[] = ['bios', 'efi'];

export interface KickstartCheck {
  status: 'ready' | 'failed';
  engine: 'dnf' | 'resolver';
  problems: CheckProblem[];
  packageProblems: PackageProblem[];
}

export type HostDraft = Omit<KickstartInputDraft, 'registration' | 'timelineUrl'>;

/** A token of the right shape: previews and checks never issue a real one. */
const previewToken = 'srt_PREVIEW-issued-when-the-host-fetches-it-000';

/** The draft completed with a placeholder registration token and the unsigned events URL. */
export function previewInput(draft: HostDraft): KickstartInputDraft {
  const hostId = draft.host.hostId;
  return {
    ...draft,
    registration: { url: `${draft.strikerUrl}/ks/${hostId}/register`, token: previewToken },
    timelineUrl: `${draft.strikerUrl}/ks/${hostId}/events`,
  };
}

/**
 * The kickstart as it would be served (`previewInput`): for `striker kickstart render <host>` and
 * the machine page. Still holds the root password hash, so it is for authenticated operators only.
 */
export function previewKickstart(draft: HostDraft): string {
  return renderKickstart(previewInput(draft));
}

/** The verdict of a check: failed on any error, whatever its source; warnings alone leave it ready. */
export function statusOf(problems: readonly CheckProblem[]): KickstartCheck['status'] {
  return problems.some((p) => p.severity === 'error') ? 'failed' : 'ready';
}

/** Lint findings for a host's previewed kickstart `text` and for the partitioning of every checked layout. */
function lintHost(text: string, rules: DiskRules): CheckProblem[] {
  const problems: CheckProblem[] = lintKickstart(text).problems.map((p) => ({ source: 'lint', severity: p.severity, line: p.line, message: `${p.severity}: ${p.message}` }));
  const size = rules.rootMiB * 4;
  for (const count of checkedDiskCounts) {
    for (const firmware of checkedFirmware) {
      const disks = Array.from({ length: count }, (_, i) => ({ name: `sd${String.fromCharCode(97 + i)}`, sizeMiB: size, removable: false }));
      for (const p of lintKickstart(renderPartInclude(planDisks(disks, firmware, rules)), { fragment: true }).problems) {
        problems.push({ source: 'disk', severity: p.severity, line: p.line, message: `${count} disk(s), ${firmware}: ${p.severity}: ${p.message}` });
      }
    }
  }
  return problems;
}

export async function checkHost(
  run: CommandRunner,
  draft: HostDraft,
  repos: readonly CheckRepo[],
  options: { engine?: 'auto' | 'dnf' | 'resolver'; timeoutMs?: number; scratchDir?: string } = {},
): Promise<KickstartCheck> {
  const text = previewKickstart(draft);
  const problems = lintHost(text, diskRulesByRole[draft.role]);
  const engine = options.engine === 'auto' ? undefined : options.engine;
  const result = await checkPackages(run, repos, packageRequestOf(text), {
    ...(engine === undefined ? {} : { engine }),
    ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
    ...(options.scratchDir === undefined ? {} : { scratchDir: options.scratchDir }),
  });
  for (const p of result.problems) problems.push({ source: 'packages', severity: 'error', line: 0, message: describePackageProblem(p) });
  return { status: statusOf(problems), engine: result.engine, problems, packageProblems: result.problems };
}
