/**
 * Repos and installation trees as the API shows them (GET /api/repos, GET /api/trees: the
 * server's types, api-types.ts), and the words an operator reads: where a repo comes from, how
 * big, and what went wrong.
 */
import type { Repo } from './api-types';

export type { Repo, Tree } from './api-types';

export type RepoSourceView = Repo['config']['source'];
export type RepoScheduleView = Repo['config']['schedule'];

export function sourceText(source: RepoSourceView): string {
  return source.kind === 'http' ? source.url : source.path;
}

export function scheduleText(schedule: RepoScheduleView | undefined): string {
  if (!schedule || schedule.kind === 'manual') return 'manual';
  if (schedule.kind === 'interval') return `every ${schedule.everyMinutes} min`;
  return `cron ${schedule.expression}`;
}

/** Bytes in SI units (what `du --si` and the job messages use). */
export function bytes(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return '–';
  if (n < 1000) return `${n} B`;
  const units = ['kB', 'MB', 'GB', 'TB'];
  let v = n;
  let i = -1;
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return `${v.toFixed(v < 10 ? 1 : 0)} ${units[i]}`;
}

/**
 * The first line of a sync error, without the internal prefixes (error codes, stack-ish "at …"),
 * and a hint for the common causes, so the Repos page says what happened in plain words.
 */
export function plainError(error: string): string {
  const first = (error.split('\n')[0] ?? error).replace(/^[A-Z_]{3,}:\s*/, '').trim();
  const hints: [RegExp, string][] = [
    [/ECONNREFUSED|ENOTFOUND|EHOSTUNREACH|unreachable|timed? ?out/i, 'The upstream could not be reached.'],
    [/repomd\.xml/i, 'The upstream does not look like an RPM repo (no valid repodata/repomd.xml).'],
    [/checksum/i, 'A downloaded file did not match its checksum; the published repo was kept.'],
    [/signature/i, 'A signature did not verify; the published repo was kept.'],
    [/ENOENT|no such file/i, 'A file or directory was not found.'],
  ];
  const hint = hints.find(([re]) => re.test(first))?.[1];
  return hint ? `${hint} (${first})` : first;
}
