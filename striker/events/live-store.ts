/**
 * Announcing a change on the live channel from code rather than a trigger: for what a page shows
 * that no row holds (a peer's replication lag, whether it is connected), sampled by LiveSampler.
 */
import type { DbWriter } from '../db/database.js';
import type { LiveChange } from './live-topics.js';

export async function notifyLive(db: DbWriter, change: LiveChange): Promise<void> {
  await db.write('SELECT striker_notify_live($1, $2)', [change.topic, change.key]);
}
