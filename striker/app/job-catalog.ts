/**
 * Every job kind `striker serve` runs: the platform's own (maintenance) and those the areas define,
 * gathered by areas.ts.
 */
import type { Database } from '../db/database.js';
import { catalogOf, type JobCatalog, type JobKindDefinition } from '../jobs/job-kind.js';
import { purgeJobKind } from '../jobs/maintenance-purge.js';

export function buildJobCatalog(db: Database, extra: readonly JobKindDefinition[] = []): JobCatalog {
  return catalogOf([purgeJobKind(db), ...extra]);
}
