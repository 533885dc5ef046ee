import type { PageLoad } from './$types';
import type { AlertHistory } from '$lib/api-types';
import { loadApi } from '$lib/load';
import { keepQueryProblems } from '$lib/query-problems';
import { PAGE_SIZE } from './page-size';

export const load: PageLoad = async (event) => {
  event.depends('app:alerts');
  const q = new URLSearchParams();
  for (const name of ['level', 'host', 'offset'] as const) {
    const v = event.url.searchParams.get(name);
    if (v) q.set(name, v);
  }
  q.set('limit', String(PAGE_SIZE));
  // A refused filter's problems (by query parameter), to show beside the filter fields.
  const { fetch, problems } = keepQueryProblems(event.fetch);
  return { history: await loadApi<AlertHistory>({ fetch, url: event.url }, `/api/alerts?${q}`, 'the alert history'), problems };
};
