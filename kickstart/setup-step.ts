/**
 * The setup-checklist step the kickstart area owns: the root password every installed host gets
 * is set (only whether it is, never the hash). `striker/app` assembles it into the checklist.
 */
import type { DbReader, DbWriter } from '../striker/db/database.js';
import { loadKickstartSettings } from './settings-store.js';

export async function rootPasswordSetupStep(q: DbReader & DbWriter): Promise<{ done: boolean; detail: string }> {
  const settings = await loadKickstartSettings(q);
  return settings.rootPasswordHash === null
    ? { done: false, detail: 'Installed hosts need a root password before any kickstart can be built.' }
    : { done: true, detail: 'The root password for installed hosts is set.' };
}
