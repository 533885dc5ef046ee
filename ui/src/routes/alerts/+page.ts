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
  return { history: await loadApi<AlertHistory>({ fetch, url: event.url }, `/api/alerts?${q}`, 'the alert history'), problems };
};
