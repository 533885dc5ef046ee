import type { PageLoad } from './$types';
import type { ApiTokenView, Users } from '$lib/api-types';
import { loadApi } from '$lib/load';

export const load: PageLoad = async (event) => {
  event.depends('app:users');
  event.depends('app:tokens');
  const [users, tokens] = await Promise.all([
    loadApi<Users>(event, '/api/users', 'the users'),
    loadApi<{ tokens: ApiTokenView[] }>(event, '/api/tokens', 'the API tokens'),
  ]);
  return { users, tokens };
};
