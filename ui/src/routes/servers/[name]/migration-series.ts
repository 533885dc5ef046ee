/**
 * A server's migrations as a plot: each migration a point in time (when it started), with how long
 * it took and how long the server was down (a live migration's pause; none recorded for a cold
 * one), in seconds, oldest first.
 */

/** What Plot.svelte draws: a time axis (epoch seconds) and each line's values and summary. */
export interface MigrationPlot {
  times: number[];
  subjects: { subject: string; unit: string; values: (number | null)[]; latest: number | null; min: number | null; max: number | null }[];
}

export interface MigrationPoint {
  startedAt: string;
  durationMs: number;
  downtimeMs: number | null;
}

function summary(subject: string, values: (number | null)[]) {
  const known = values.filter((v): v is number => v !== null);
  return {
    subject,
    unit: 's',
    values,
    latest: known.at(-1) ?? null,
    min: known.length ? Math.min(...known) : null,
    max: known.length ? Math.max(...known) : null,
  };
}

export function migrationSeries(migrations: readonly MigrationPoint[]): MigrationPlot {
  const sorted = [...migrations].sort((a, b) => Date.parse(a.startedAt) - Date.parse(b.startedAt));
  const seconds = (ms: number) => Math.round(ms / 100) / 10;
  return {
    times: sorted.map((m) => Date.parse(m.startedAt) / 1000),
    subjects: [
      summary('Took', sorted.map((m) => seconds(m.durationMs))),
      summary('Downtime', sorted.map((m) => (m.downtimeMs === null ? null : seconds(m.downtimeMs)))),
    ],
  };
}
