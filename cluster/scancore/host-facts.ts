/**
 * A node's facts for the health conditions that compare it with its peer ("less RAM than the
 * peer"), from the host agent's inventory. One reading for the decision round and for the score
 * stored with each scan report, so the two agree.
 */
import { getHostAgent } from '../../striker/agent/index.js';
import type { Database, DbTx } from '../../striker/db/database.js';
import type { HostFacts } from './health-score.js';

export async function hostFacts(db: Database | DbTx, hostId: string): Promise<HostFacts> {
  const bytes = (await getHostAgent(db, hostId))?.inventory?.memoryBytes;
  return bytes === undefined ? {} : { ramBytes: bytes };
}
