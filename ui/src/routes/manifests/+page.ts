import type { PageLoad } from './$types';
import { loadApi } from '$lib/load';
import type { ManifestList } from '$lib/manifest/manifest-types';

export const load: PageLoad = async (event) => {
  event.depends('app:manifests');
  return { manifests: await loadApi<ManifestList>(event, '/api/manifests', 'the manifests') };
};
