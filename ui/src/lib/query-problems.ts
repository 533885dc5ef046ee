/**
 * A page loader's fetch that keeps the problems of a refused query string (a 400 naming
 * `query.<parameter>`), by parameter, so a filter form shows each beside its field while the page
 * shows the load error.
 */
import type { Fetch } from './api';

export function keepQueryProblems(fetch: Fetch): { fetch: Fetch; problems: Record<string, string[]> } {
  const problems: Record<string, string[]> = {};
  const keeping: Fetch = async (input, init) => {
    const res = await fetch(input, init);
    if (res.status === 400) {
      const body = (await res.clone().json().catch(() => null)) as { error?: { details?: { problems?: { path: string; message: string }[] } } } | null;
      for (const p of body?.error?.details?.problems ?? []) (problems[p.path.replace(/^query\.?/, '')] ??= []).push(p.message);
    }
    return res;
  };
  return { fetch: keeping, problems };
}
