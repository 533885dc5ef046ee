import type { PageLoad } from './$types';
import { loadApi } from '$lib/load';
import type { FenceAgentList } from '$lib/manifest/manifest-types';

/** The fence agents installed on this Striker (their forms are read as devices use them). */
export const load: PageLoad = async (event) => ({
  agents: await loadApi<FenceAgentList>(event, '/api/fence-agents', 'the installed fence agents'),
});
