/**
 * CLI output: `--json` prints machine-readable JSON; otherwise aligned columns for people.
 */
export interface Printer {
  json: boolean;
  out(text: string): void;
}

export function printTable(p: Printer, rows: Record<string, unknown>[], columns: string[]): void {
  if (rows.length === 0) {
    p.out('(none)');
    return;
  }
  const cell = (v: unknown) => (v instanceof Date ? v.toISOString() : v === null || v === undefined ? '-' : String(v));
  const widths = columns.map((c) => Math.max(c.length, ...rows.map((r) => cell(r[c]).length)));
  p.out(columns.map((c, i) => c.toUpperCase().padEnd(widths[i]!)).join('  ').trimEnd());
  for (const r of rows) p.out(columns.map((c, i) => cell(r[c]).padEnd(widths[i]!)).join('  ').trimEnd());
}

export function printResult(p: Printer, value: unknown, human: () => void): void {
  if (p.json) p.out(JSON.stringify(value, null, 2));
  else human();
}
