/** What the host page plots (ScanCore metrics, `health` the score) and the ranges it offers. */
export const plotted = [
  { metric: 'health', title: 'Health score', unit: '' },
  { metric: 'ipmi.temperature', title: 'Temperature', unit: '°C' },
  { metric: 'ipmi.fan', title: 'Fans', unit: 'RPM' },
  { metric: 'ipmi.power', title: 'Power', unit: 'W' },
  { metric: 'ups.charge', title: 'UPS charge', unit: '%' },
  { metric: 'ups.runtime', title: 'UPS runtime', unit: 's' },
] as const;

export const ranges = [
  { id: '1h', label: 'Last hour', ms: 3_600_000 },
  { id: '24h', label: 'Last day', ms: 86_400_000 },
  { id: '7d', label: 'Last week', ms: 7 * 86_400_000 },
] as const;

export type PlotRange = (typeof ranges)[number];

/** The range named in the URL, or the last day. */
export function rangeOf(id: string | null): PlotRange {
  return ranges.find((r) => r.id === id) ?? ranges[1];
}
