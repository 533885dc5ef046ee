import type { PageLoad } from './$types';
import type { Identity } from '$lib/api-types';
import { loadApi, type Loaded } from '$lib/load';

/** Before the admin exists nothing else can be read; afterwards the wizard starts from the stored identity or the defaults. */
export const load: PageLoad = async (event) => {
  const { session } = await event.parent();
  if (!session?.authenticated || session.user.role !== 'admin') return { identity: null as Loaded<Identity> | null };
  return { identity: await loadApi<Identity>(event, '/api/setup/identity', 'this Striker’s identity') };
};
