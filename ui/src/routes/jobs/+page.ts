import type { PageLoad } from './$types';
import type { JobView } from '$lib/jobs';

export const load: PageLoad = async ({ fetch }) => {
  const res = await fetch('/api/jobs?limit=100', { headers: { accept: 'application/json' } });
  const body = (await res.json()) as { jobs?: JobView[] };
  return { jobs: body.jobs ?? [] };
};
