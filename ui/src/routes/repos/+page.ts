import type { PageLoad } from './$types';
import type { Repos, Trees } from '$lib/api-types';
import { loadApi } from '$lib/load';

export const load: PageLoad = async (event) => {
  event.depends('app:repos');
  const [repos, trees] = await Promise.all([
    loadApi<Repos>(event, '/api/repos', 'the repos'),
    loadApi<Trees>(event, '/api/trees', 'the installation trees'),
  ]);
  return { repos, trees };
};
