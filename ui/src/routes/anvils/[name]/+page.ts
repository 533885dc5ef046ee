import type { PageLoad } from './$types';
import { loadApi } from '$lib/load';
import type { AnvilView } from '$lib/anvils';

export const load: PageLoad = async (event) => {
  event.depends('app:anvil');
  const name = event.params.name;
  return { name, anvil: await loadApi<AnvilView>(event, `/api/anvils/${encodeURIComponent(name)}`, `pair ${name}`) };
};
