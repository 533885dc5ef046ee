import type { PageLoad } from './$types';
import type { FileList, HostList } from '$lib/api-types';
import { loadApi } from '$lib/load';

export const load: PageLoad = async (event) => {
  event.depends('app:files');
  const [list, hosts] = await Promise.all([
    loadApi<FileList>(event, '/api/files', 'the files'),
    loadApi<HostList>(event, '/api/hosts', 'the hosts'),
  ]);
  return { list, hosts };
};
