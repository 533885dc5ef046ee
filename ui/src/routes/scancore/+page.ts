/**
 * ScanCore's page: each pair's maintenance mode and the decision history (newest first, filtered
 * by pair and outcome, paged by `before`), read through the API.
 */
import type { PageLoad } from './$types';
import { loadApi } from '$lib/load';
import type { ScancoreDecisions, ScancoreMaintenance } from '$lib/scancore-decisions';
import { PAGE_SIZE } from './page-size';


export const load: PageLoad = async (event) => {
  event.depends('app:scancore');
  const q = new URLSearchParams();
  for (const name of ['pair', 'outcome', 'before'] as const) {
    const v = event.url.searchParams.get(name);
    if (v) q.set(name, v);
  }
  q.set('limit', String(PAGE_SIZE));
  // A refused filter's problems (by query parameter), to show beside the filter fields.
  const problems: Record<string, string[]> = {};
  const fetch: typeof event.fetch = async (input, init) => {
    const res = await event.fetch(input, init);
    if (res.status === 400) {
      const body = (await res.clone().json().catch(() => null)) as { error?: { details?: { problems?: { path: string; message: string }[] } } } | null;
      for (const p of body?.error?.details?.problems ?? []) (problems[p.path.replace(/^query\.?/, '')] ??= []).push(p.message);
    }
    return res;
  };
  const [maintenance, decisions] = await Promise.all([
    loadApi<ScancoreMaintenance>(event, '/api/scancore/maintenance', 'the maintenance mode of each pair'),
    loadApi<ScancoreDecisions>({ fetch, url: event.url, parent: event.parent }, `/api/scancore/decisions?${q}`, "ScanCore's decisions"),
  ]);
  return { maintenance, decisions, problems };
};
