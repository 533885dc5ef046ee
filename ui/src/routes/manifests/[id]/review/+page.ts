import type { PageLoad } from './$types';
import { loadApi, type Loaded } from '$lib/load';
import type { ManifestPlanAnswer } from '$lib/manifest/manifest-types';

/** The plan of a stored manifest: the names, addresses, fence topology and UPS mapping as the cluster will see them. */
export const load: PageLoad = async (event) => {
  const { id } = event.params;
  if (id === 'new') return { plan: null as Loaded<ManifestPlanAnswer> | null };
  event.depends(`app:manifest-plan:${id}`);
  return { plan: await loadApi<ManifestPlanAnswer>(event, `/api/manifests/${id}/plan`, 'the manifest’s plan') };
};
