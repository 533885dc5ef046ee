import type { PageLoad } from './$types';
import type { Users } from '$lib/api-types';
import { loadApi } from '$lib/load';

export const load: PageLoad = async (event) => {
  event.depends('app:users');
  return { users: await loadApi<Users>(event, '/api/users', 'the users') };
};
