import type { PageLoad } from './$types';
import type { MediaUploads, Repos, Trees } from '$lib/api-types';
import { loadApi } from '$lib/load';

export const load: PageLoad = async (event) => {
  event.depends('app:repos');
  const [repos, trees, uploads] = await Promise.all([
    loadApi<Repos>(event, '/api/repos', 'the repos'),
    loadApi<Trees>(event, '/api/trees', 'the installation trees'),
    loadApi<MediaUploads>(event, '/api/media/uploads', 'the media uploads'),
  ]);
  return { repos, trees, uploads };
};
