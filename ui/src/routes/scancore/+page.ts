/**
 * ScanCore's page: each pair's maintenance mode and the decision history (newest first, filtered
 * by pair and outcome, paged by `before`), read through the API.
 */
import type { PageLoad } from './$types';
import { loadApi } from '$lib/load';
import { keepQueryProblems } from '$lib/query-problems';
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
  const { fetch, problems } = keepQueryProblems(event.fetch);
  const [maintenance, decisions] = await Promise.all([
    loadApi<ScancoreMaintenance>(event, '/api/scancore/maintenance', 'the maintenance mode of each pair'),
    loadApi<ScancoreDecisions>({ fetch, url: event.url, parent: event.parent }, `/api/scancore/decisions?${q}`, "ScanCore's decisions"),
  ]);
  return { maintenance, decisions, problems };
};
