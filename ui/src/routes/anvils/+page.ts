import type { PageLoad } from './$types';
import { loadApi } from '$lib/load';
import type { AnvilSummary } from '$lib/anvils';

export const load: PageLoad = async (event) => {
  event.depends('app:anvils');
  return { anvils: await loadApi<{ anvils: AnvilSummary[] }>(event, '/api/anvils', 'the node pairs') };
};
