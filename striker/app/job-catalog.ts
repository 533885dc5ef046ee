/**
 * Every job kind `striker serve` runs, gathered from the areas that define them.
 * A kind is added here when its area is wired into serve.
 */
import type { Database } from '../db/database.js';
import { catalogOf, type JobCatalog, type JobKindDefinition } from '../jobs/job-kind.js';
import { purgeJobKind } from '../jobs/maintenance-purge.js';

export function buildJobCatalog(db: Database, extra: readonly JobKindDefinition[] = []): JobCatalog {
  return catalogOf([purgeJobKind(db), ...extra]);
}
