import type { PageLoad } from './$types';
import { loadApi } from '$lib/load';
import type { StoredManifest } from '$lib/manifest/manifest-types';

export const load: PageLoad = async (event) => {
  event.depends('app:manifests');
  return { manifests: await loadApi<{ manifests: StoredManifest[] }>(event, '/api/manifests', 'the manifests') };
};
