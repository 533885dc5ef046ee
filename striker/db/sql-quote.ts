/**
 * Quoting for the few SQL statements that cannot take parameters (DDL, publication and
 * subscription commands): an identifier in double quotes, a literal in single quotes, each with
 * its quote doubled.
 */

export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

export function quoteLiteral(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}
