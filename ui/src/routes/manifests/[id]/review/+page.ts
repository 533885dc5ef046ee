import type { PageLoad } from './$types';
import { loadApi, type Loaded } from '$lib/load';
import type { PlanAnswer, RunList } from '$lib/manifest/manifest-types';

/** The plan of a stored manifest (names, addresses, fence topology, UPS mapping as the cluster will see them) and its runs. */
export const load: PageLoad = async (event) => {
  const { id } = event.params;
  if (id === 'new') return { plan: null as Loaded<PlanAnswer> | null, runs: null as Loaded<RunList> | null };
  event.depends(`app:manifest-plan:${id}`);
  const [plan, runs] = await Promise.all([
    loadApi<PlanAnswer>(event, `/api/manifests/${id}/plan`, 'the manifest’s plan'),
    loadApi<RunList>(event, `/api/manifests/${id}/runs`, 'the manifest’s runs'),
  ]);
  return { plan, runs };
};
