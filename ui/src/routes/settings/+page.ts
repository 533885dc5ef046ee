import type { PageLoad } from './$types';
import type { Identity } from '$lib/api-types';
import { loadApi } from '$lib/load';

export const load: PageLoad = async (event) => {
  event.depends('app:settings');
  return { settings: await loadApi<Identity>(event, '/api/setup/identity', 'this Striker’s identity') };
};
