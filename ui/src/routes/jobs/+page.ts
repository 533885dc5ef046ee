import type { PageLoad } from './$types';
import type { JobKinds, Jobs } from '$lib/api-types';
import { loadApi } from '$lib/load';
import { jobListQuery, JOBS_PER_PAGE } from '$lib/job-filter';

export const load: PageLoad = async (event) => {
  event.depends('app:jobs');
  const filter = jobListQuery(event.url.searchParams);
  const [jobs, kinds] = await Promise.all([
    loadApi<Jobs>(event, `/api/jobs?${filter.api}`, 'the jobs'),
    loadApi<JobKinds>(event, '/api/job-kinds', 'the job kinds'),
  ]);
  return { jobs, kinds, filter: filter.values, perPage: JOBS_PER_PAGE };
};
