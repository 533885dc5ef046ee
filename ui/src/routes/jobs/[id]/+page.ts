import { error } from '@sveltejs/kit';
import type { PageLoad } from './$types';
import type { JobMessageView, JobView } from '$lib/jobs';

export const load: PageLoad = async ({ fetch, params, depends }) => {
  depends(`app:job:${params.id}`);
  const res = await fetch(`/api/jobs/${params.id}`, { headers: { accept: 'application/json' } });
  if (!res.ok) error(res.status, res.status === 404 ? 'No such job' : 'Could not read the job');
  return (await res.json()) as { job: JobView; messages: JobMessageView[] };
};
