/**
 * CLI output: `--json` prints machine-readable JSON; otherwise aligned columns for people.
 */
export interface Printer {
  json: boolean;
  out(text: string): void;
}

/** Aligned columns of `rows`, one per name in `columns`, headed by the upper-cased names. */
export function printTable<T extends object>(p: Printer, rows: readonly T[], columns: readonly (keyof T & string)[]): void {
  if (rows.length === 0) {
    p.out('(none)');
    return;
  }
  const cell = (v: unknown) => (v instanceof Date ? v.toISOString() : v === null || v === undefined ? '-' : String(v));
  const widths = columns.map((c) => Math.max(c.length, ...rows.map((r) => cell(r[c]).length)));
  p.out(columns.map((c, i) => c.toUpperCase().padEnd(widths[i]!)).join('  ').trimEnd());
  for (const r of rows) p.out(columns.map((c, i) => cell(r[c]).padEnd(widths[i]!)).join('  ').trimEnd());
}

/** A list: JSON with `--json`, otherwise the table of `columns`. */
export function printRows<T extends object>(p: Printer, rows: readonly T[], columns: readonly (keyof T & string)[]): void {
  printResult(p, rows, () => printTable(p, rows, columns));
}

export function printResult(p: Printer, value: unknown, human: () => void): void {
  if (p.json) p.out(JSON.stringify(value, null, 2));
  else human();
}
