import type { PageLoad } from './$types';
import type { AlertMailServer, AlertRecipient } from '$lib/api-types';
import { loadApi } from '$lib/load';

/** A language the alert e-mails are shipped in (`GET /api/alerts/languages`). */
interface AlertLanguage {
  tag: string;
  name: string;
}

export const load: PageLoad = async (event) => {
  event.depends('app:alert-settings');
  const [recipients, servers, languages] = await Promise.all([
    loadApi<AlertRecipient[]>(event, '/api/alerts/recipients', 'the alert recipients'),
    loadApi<AlertMailServer[]>(event, '/api/alerts/mail-servers', 'the mail servers'),
    loadApi<{ languages: AlertLanguage[] }>(event, '/api/alerts/languages', 'the alert languages'),
  ]);
  return { recipients, servers, languages };
};
