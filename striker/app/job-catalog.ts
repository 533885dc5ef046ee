/**
 * Every job kind `striker serve` runs: the platform's own (maintenance, with the purges areas
 * need) and those the areas define, gathered by areas.ts.
 */
import type { Database } from '../db/database.js';
import { catalogOf, type JobCatalog, type JobKindDefinition } from '../jobs/job-kind.js';
import { purgeJobKind } from '../jobs/maintenance-purge.js';
import { DEFAULT_MAX_EVENTS_PER_MACHINE, purgeBootEvents } from '../machines/index.js';
import { purgeRowDeletions } from '../db/replication/index.js';

export function buildJobCatalog(db: Database, extra: readonly JobKindDefinition[] = []): JobCatalog {
  const bootEvents = {
    what: `boot events older than the retention or beyond each machine's newest ${DEFAULT_MAX_EVENTS_PER_MACHINE}`,
    run: (keepDays: number) => purgeBootEvents(db, keepDays),
  };
  // A delete's record is needed only until every peer has applied that delete.
  const rowDeletions = { what: 'records of deletes (replication) older than the retention', run: (keepDays: number) => purgeRowDeletions(db, keepDays) };
  return catalogOf([purgeJobKind(db, [bootEvents, rowDeletions]), ...extra]);
}
