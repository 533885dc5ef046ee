import type { PageLoad } from './$types';
import type { ServerDetail } from '$lib/api-types';
import { loadApi } from '$lib/load';

export const load: PageLoad = async (event) => {
  event.depends('app:server');
  return { name: event.params.name, detail: await loadApi<ServerDetail>(event, `/api/servers/${encodeURIComponent(event.params.name)}`, `server ${event.params.name}`) };
};
