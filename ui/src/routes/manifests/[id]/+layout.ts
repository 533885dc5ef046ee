import { error } from '@sveltejs/kit';
import type { LayoutLoad } from './$types';
import type { Identity } from '$lib/api-types';
import { loadApi, type Loaded } from '$lib/load';
import type { StoredManifest } from '$lib/manifest/manifest-types';
import type { ManifestAnswer } from '$lib/manifest/manifest-types';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * A new manifest starts from this Striker's identity (prefix, domain, its internet-facing network,
 * DNS, NTP, MTU); a stored one is read from the API.
 */
export const load: LayoutLoad = async (event) => {
  const id = event.params.id;
  if (id !== 'new' && !UUID.test(id)) error(404, `no manifest ${id}`);
  event.depends(`app:manifest:${id}`);
  if (id === 'new') {
    return { id, manifest: null as Loaded<StoredManifest> | null, identity: await loadApi<Identity>(event, '/api/setup/identity', 'this Striker’s identity') };
  }
  const answer = await loadApi<ManifestAnswer>(event, `/api/manifests/${id}`, `manifest ${id}`);
  const manifest: Loaded<StoredManifest> = answer.ok ? { ok: true, data: answer.data.manifest } : answer;
  return { id, manifest, identity: null as Loaded<Identity> | null };
};
