/** Durations and times as an operator reads them. */
export function duration(ms: number): string {
  if (ms < 0 || !Number.isFinite(ms)) return '–';
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${s % 60}s`;
  return `${Math.floor(m / 60)}h ${m % 60}m`;
}

export function time(at: string | null | undefined): string {
  if (!at) return '–';
  return new Date(at).toLocaleString();
}
