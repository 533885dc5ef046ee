/**
 * The migration record file a node keeps (`migration_log` of ocf:striker:server, by default
 * /var/lib/striker/server-migrations.log): one JSON line per migration the resource agent ran on
 * that node, the last 100 kept. The host agent reads it with each scan and sends the records in its
 * cluster report (cluster/ops); Striker stores each record's id once (`recordReportedMigrations`
 * in actions.ts), so sending the same lines again changes nothing. Only zod and node built-ins
 * here: the agent's bundle reads it.
 */
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { serverNameSchema } from './server-names.js';

export const defaultMigrationLogPath = '/var/lib/striker/server-migrations.log';

const nodeName = z.string().min(1).max(63).regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'must be a node name like an-a01n01');

export const migrationRecordSchema = z.strictObject({
  /** Made by the resource agent, so the record is stored once however often it is sent. */
  id: z.uuid(),
  server: serverNameSchema,
  fromNode: nodeName,
  toNode: nodeName,
  kind: z.enum(['live', 'cold']),
  outcome: z.enum(['succeeded', 'failed']),
  startedAt: z.iso.datetime({ offset: true }),
  durationMs: z.int().min(0).max(86_400_000),
  /** libvirt's figure for a live migration; the whole time for a cold one; absent when unknown. */
  downtimeMs: z.int().min(0).max(86_400_000).optional(),
});

export type MigrationRecord = z.output<typeof migrationRecordSchema>;

/** Most records a report carries (the file keeps 100). */
export const maxReportedMigrations = 100;

/** The records of a migration log's text; a line that is not a valid record is skipped. Pure. */
export function parseMigrationLog(text: string): MigrationRecord[] {
  const records: MigrationRecord[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      continue;
    }
    const parsed = migrationRecordSchema.safeParse(value);
    if (parsed.success) records.push(parsed.data);
  }
  return records.slice(-maxReportedMigrations);
}

/** The node's records; none when the file does not exist (no migration ran here yet). */
export async function readMigrationLog(path = defaultMigrationLogPath): Promise<MigrationRecord[]> {
  try {
    return parseMigrationLog(await readFile(path, 'utf8'));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}
