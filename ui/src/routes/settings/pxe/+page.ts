import type { PageLoad } from './$types';
import type { HostInterfaces, PxeSettingsAnswer } from '$lib/api-types';
import { loadApi } from '$lib/load';

export const load: PageLoad = async (event) => {
  event.depends('app:pxe-settings');
  const [settings, interfaces] = await Promise.all([
    loadApi<PxeSettingsAnswer>(event, '/api/settings/pxe', 'the PXE settings'),
    loadApi<HostInterfaces>(event, '/api/network/interfaces', 'this host’s network interfaces'),
  ]);
  return { settings, interfaces };
};
