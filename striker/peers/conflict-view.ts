/**
 * Conflicts as the API shows them: a row version can hold credentials (a password hash, a token
 * hash, a sealed secret), which no client needs to settle a conflict and a viewer must not read.
 * Those values are replaced by a marker saying whether the two versions differ there. Pure.
 */
import type { ConflictRecord } from './peer-replication.js';

const SENSITIVE = /(password|secret|token|hash|key|credential)/i;
export const HIDDEN = '(hidden)';

/** The column names that look like they hold credentials, plus the registered encrypted ones. */
function sensitive(column: string, sealed: ReadonlySet<string>): boolean {
  return SENSITIVE.test(column) || sealed.has(column);
}

function redact(version: Record<string, unknown> | null, other: Record<string, unknown> | null, sealed: ReadonlySet<string>): Record<string, unknown> | null {
  if (version === null) return null;
  return Object.fromEntries(
    Object.entries(version).map(([k, v]) => [k, sensitive(k, sealed) ? (other !== null && JSON.stringify(other[k]) !== JSON.stringify(v) ? `${HIDDEN}, differs` : HIDDEN) : v]),
  );
}

/** `conflict` with credential-like columns hidden; `sealedColumns` are `table.column` names from the registry. */
export function conflictView(conflict: ConflictRecord, sealedColumns: ReadonlySet<string>): ConflictRecord {
  const sealed = new Set([...sealedColumns].filter((c) => c.startsWith(`${conflict.tableName}.`)).map((c) => c.slice(conflict.tableName.length + 1)));
  return { ...conflict, kept: redact(conflict.kept, conflict.discarded, sealed), discarded: redact(conflict.discarded, conflict.kept, sealed) ?? {} };
}
