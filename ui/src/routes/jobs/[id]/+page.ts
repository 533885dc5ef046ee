import type { PageLoad } from './$types';
import type { JobDetail } from '$lib/api-types';
import { loadApi } from '$lib/load';

export const load: PageLoad = async (event) => {
  const { id } = event.params;
  event.depends(`app:job:${id}`);
  return { id, detail: await loadApi<JobDetail>(event, `/api/jobs/${encodeURIComponent(id)}`, `job ${id}`) };
};
