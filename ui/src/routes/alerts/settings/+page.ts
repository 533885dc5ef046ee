import type { PageLoad } from './$types';
import type { AlertMailServer, AlertRecipient } from '$lib/api-types';
import { loadApi } from '$lib/load';

export const load: PageLoad = async (event) => {
  event.depends('app:alert-settings');
  const [recipients, servers] = await Promise.all([
    loadApi<AlertRecipient[]>(event, '/api/alerts/recipients', 'the alert recipients'),
    loadApi<AlertMailServer[]>(event, '/api/alerts/mail-servers', 'the mail servers'),
  ]);
  return { recipients, servers };
};
