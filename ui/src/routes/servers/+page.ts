import type { PageLoad } from './$types';
import type { ServerList } from '$lib/api-types';
import { loadApi } from '$lib/load';

export const load: PageLoad = async (event) => {
  event.depends('app:servers');
  return { list: await loadApi<ServerList>(event, '/api/servers', 'the servers') };
};
