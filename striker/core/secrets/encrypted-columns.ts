/**
 * Where secrets live: each table with sealed values declares them here, so a key rotation finds
 * every one. A declaration names the table, its key column and each text column that holds an
 * envelope (`envelope.ts`, sealed with the context `table.column`). Areas export their
 * declarations; striker/app gathers them into one registry.
 */
const IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;

export interface EncryptedTable {
  table: string;
  /** The primary-key column (one column). */
  key: string;
  /** Text columns holding envelopes; NULL means no secret stored. */
  columns: readonly string[];
  /**
   * 'replicated': the table is carried to every peer, so a rotation re-encrypts it on the rotating
   * Striker only and the new envelopes replicate. 'local': every Striker re-encrypts its own rows.
   */
  scope: 'replicated' | 'local';
}

export type EncryptedColumnRegistry = readonly EncryptedTable[];

/** The context a column's envelopes are sealed with. */
export function columnContext(table: string, column: string): string {
  return `${table}.${column}`;
}

/**
 * One registry from the areas' declarations. Names must be plain lower-case SQL identifiers (they
 * are put into SQL) and each table is declared once.
 */
export function encryptedColumnRegistry(...declarations: readonly EncryptedTable[][]): EncryptedColumnRegistry {
  const all = declarations.flat();
  const seen = new Set<string>();
  for (const t of all) {
    for (const name of [t.table, t.key, ...t.columns]) {
      if (!IDENTIFIER.test(name)) throw new Error(`encrypted column registry: ${JSON.stringify(name)} (table ${t.table}) is not a lower-case SQL identifier`);
    }
    if (t.columns.length === 0) throw new Error(`encrypted column registry: table ${t.table} declares no columns`);
    if (seen.has(t.table)) throw new Error(`encrypted column registry: table ${t.table} is declared twice`);
    seen.add(t.table);
  }
  return Object.freeze(all.map((t) => Object.freeze({ ...t, columns: Object.freeze([...t.columns]) })));
}
