import type { PageLoad } from './$types';
import type { KickstartSettingsAnswer, Trees } from '$lib/api-types';
import { loadApi } from '$lib/load';

export const load: PageLoad = async (event) => {
  event.depends('app:kickstart-settings');
  const [settings, trees] = await Promise.all([
    loadApi<KickstartSettingsAnswer>(event, '/api/settings/kickstart', 'the kickstart settings'),
    loadApi<Trees>(event, '/api/trees', 'the installation trees'),
  ]);
  return { settings, trees };
};
