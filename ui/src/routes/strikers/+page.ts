import type { PageLoad } from './$types';
import type { Conflict, Peers } from '$lib/api-types';
import { loadApi } from '$lib/load';

export const load: PageLoad = async (event) => {
  event.depends('app:strikers');
  const [peers, conflicts] = await Promise.all([
    loadApi<Peers>(event, '/api/peers', 'the Strikers'),
    loadApi<Conflict[]>(event, '/api/conflicts?unresolved=true', 'the conflicts'),
  ]);
  return { peers, conflicts };
};
