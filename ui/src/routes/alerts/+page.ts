import type { PageLoad } from './$types';
import type { AlertHistory } from '$lib/api-types';
import { loadApi } from '$lib/load';
import { PAGE_SIZE } from './page-size';

export const load: PageLoad = async (event) => {
  event.depends('app:alerts');
  const q = new URLSearchParams();
  for (const name of ['level', 'host', 'offset'] as const) {
    const v = event.url.searchParams.get(name);
    if (v) q.set(name, v);
  }
  q.set('limit', String(PAGE_SIZE));
  return { history: await loadApi<AlertHistory>(event, `/api/alerts?${q}`, 'the alert history') };
};
