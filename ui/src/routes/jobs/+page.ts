import type { PageLoad } from './$types';
import type { Jobs } from '$lib/api-types';
import { loadApi } from '$lib/load';

export const load: PageLoad = async (event) => {
  event.depends('app:jobs');
  return { jobs: await loadApi<Jobs>(event, '/api/jobs?limit=100', 'the jobs') };
};
