/**
 * An admin settles a conflict the replication rules recorded: keep the version the rules kept
 * (nothing changes but the conflict is marked resolved), or keep the discarded one (it is written
 * back as the newest version, so it replicates to every peer). One transaction with its audit row.
 */
import { audit, type ActionOptions, type Actor } from '../audit/audit-store.js';
import { ConflictError, NotFoundError } from '../core/errors/index.js';
import { isUuid } from '../core/validation/uuid.js';
import { parseInput } from '../core/validation/zod-problems.js';
import type { Database } from '../db/database.js';
import { restoreVersion } from './conflict-store.js';
import type { ConflictRecord, PeerReplication } from './peer-replication.js';
import { resolveConflictInput } from './peering-wire.js';

export async function resolveConflict(
  deps: { db: Database; replication: PeerReplication },
  actor: Actor,
  id: string,
  input: unknown,
  options: ActionOptions = {},
): Promise<{ id: string; resolution: 'kept' | 'restored-discarded' }> {
  const { keep } = parseInput(resolveConflictInput, input, 'the resolution', options.inputPath);
  if (!isUuid(id)) throw new NotFoundError('conflict', id.slice(0, 80));
  const conflict = (await deps.replication.conflicts(deps.db, { unresolvedOnly: false, limit: 100_000 })).find((c) => c.id === id);
  if (!conflict) throw new NotFoundError('conflict', id);
  if (conflict.resolvedAt !== null) throw new ConflictError(`conflict ${id} was already resolved by ${conflict.resolvedBy ?? 'someone'} at ${conflict.resolvedAt.toISOString()}`, { id });
  if (keep === 'discarded' && !deps.replication.replicatedTables().includes(conflict.tableName)) {
    throw new ConflictError(`conflict ${id} is about ${conflict.tableName}, which does not replicate: its discarded version cannot be restored`, { id });
  }
  const resolution = keep === 'kept' ? 'kept' : 'restored-discarded';
  await deps.db.tx(async (t) => {
    if (keep === 'discarded') await restoreVersion(t, conflict.tableName, conflict.rowId, conflict.discarded);
    if (!(await deps.replication.markResolved(t, id, resolution, actor.name))) throw new ConflictError(`conflict ${id} was resolved meanwhile`, { id });
    await audit(t, actor, { action: 'striker.conflict.resolve', targetKind: 'conflict', targetId: id, details: { table: conflict.tableName, rowId: conflict.rowId, keep }, requestId: options.requestId });
  });
  return { id, resolution };
}

export type { ConflictRecord };
