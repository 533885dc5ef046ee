/**
 * SQL over the registered encrypted columns (striker/core/secrets/encrypted-columns.ts): find the
 * envelopes not sealed with a given key, and replace one envelope if it is still the one read.
 * Table and column names come from the registry, which accepts plain lower-case identifiers only.
 */
import type { EncryptedTable } from '../core/secrets/index.js';
import type { DbReader, DbWriter } from '../db/database.js';

export interface SealedValue {
  key: string;
  column: string;
  envelope: string;
}

const ident = (name: string) => `"${name}"`;

/** Every envelope in `table` whose key id is not `keyId`. */
export async function valuesNotSealedWith(q: DbReader, table: EncryptedTable, keyId: string): Promise<SealedValue[]> {
  const selects = table.columns.map(
    (c) => `SELECT ${ident(table.key)}::text AS key, '${c}' AS column, ${ident(c)} AS envelope FROM ${ident(table.table)}
             WHERE ${ident(c)} IS NOT NULL AND split_part(${ident(c)}, '.', 2) <> $1`,
  );
  const { rows } = await q.query<SealedValue>(selects.join(' UNION ALL '), [keyId]);
  return rows;
}

/** Replaces the envelope in one cell if it still holds `previous`; false when the row moved on. */
export async function replaceEnvelope(q: DbWriter, table: EncryptedTable, value: SealedValue, next: string): Promise<boolean> {
  if (!table.columns.includes(value.column)) throw new Error(`${table.table}.${value.column} is not a registered encrypted column`);
  const { rowCount } = await q.write(
    `UPDATE ${ident(table.table)} SET ${ident(value.column)} = $1 WHERE ${ident(table.key)}::text = $2 AND ${ident(value.column)} = $3`,
    [next, value.key, value.envelope],
  );
  return rowCount === 1;
}

/** The key ids that sealed the envelopes of `table`, with how many each sealed, per column. */
export async function sealingKeyIds(q: DbReader, table: EncryptedTable): Promise<{ column: string; keyId: string; count: number }[]> {
  const selects = table.columns.map(
    (c) => `SELECT '${c}' AS column, split_part(${ident(c)}, '.', 2) AS "keyId", count(*)::int AS count FROM ${ident(table.table)} WHERE ${ident(c)} IS NOT NULL GROUP BY 2`,
  );
  const { rows } = await q.query<{ column: string; keyId: string; count: number }>(selects.join(' UNION ALL '));
  return rows;
}
