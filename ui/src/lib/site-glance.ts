/**
 * What the dashboard says about power and alerts, from what the API already returns: each UPS as
 * the newest scan of any host reports it (several nodes read the same UPS), and the alerts still
 * open. Pure, so it is tested without a browser (test/ui/site-glance.test.ts).
 */

/** A reading as `GET /api/scancore/hosts` lists it for a host. */
export interface GlanceReading {
  agent: string;
  metric: string;
  subject: string;
  value: number | string | boolean | null;
  status: 'ok' | 'warning' | 'critical' | 'unknown';
  message?: string | undefined;
  at: string;
}

export interface UpsGlance {
  name: string;
  /** `on line`, `on battery`, `on battery, battery low`, or the NUT flags when neither. */
  state: string;
  status: GlanceReading['status'];
  chargePct: number | null;
  runtimeS: number | null;
  /** The host whose scan this is, and when. */
  hostId: string;
  at: string;
}

/** NUT's ups.status flags (OL, OB, LB, …) in words. */
export function upsStateWords(flags: string): string {
  const set = new Set(flags.split(/\s+/).filter((f) => f !== ''));
  const words: string[] = [];
  if (set.has('OB')) words.push('on battery');
  else if (set.has('OL')) words.push('on line');
  if (set.has('LB')) words.push('battery low');
  if (set.has('RB')) words.push('battery needs replacing');
  if (set.has('OFF')) words.push('off');
  return words.length > 0 ? words.join(', ') : flags.trim() || 'unknown';
}

const numberOf = (v: GlanceReading['value'] | undefined): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/** Every UPS any host reports, by name, from the newest `ups.status` reading of it (and that scan's charge and runtime). */
export function upsGlance(hosts: readonly { hostId: string; readings: readonly GlanceReading[] }[]): UpsGlance[] {
  const newest = new Map<string, UpsGlance>();
  for (const host of hosts) {
    const of = (metric: string, subject: string) => host.readings.find((r) => r.metric === metric && r.subject === subject);
    for (const r of host.readings) {
      if (r.metric !== 'ups.status') continue;
      const known = newest.get(r.subject);
      if (known !== undefined && Date.parse(known.at) >= Date.parse(r.at)) continue;
      newest.set(r.subject, {
        name: r.subject,
        state: upsStateWords(String(r.value ?? '')),
        status: r.status,
        chargePct: numberOf(of('ups.charge', r.subject)?.value),
        runtimeS: numberOf(of('ups.runtime', r.subject)?.value),
        hostId: host.hostId,
        at: r.at,
      });
    }
  }
  return [...newest.values()].sort((a, b) => a.name.localeCompare(b.name));
}

/** Seconds of battery runtime in words: `42 min`, `1 h 5 min`, `30 s`. */
export function runtimeWords(seconds: number): string {
  if (seconds < 60) return `${Math.round(seconds)} s`;
  const minutes = Math.floor(seconds / 60);
  return minutes < 60 ? `${minutes} min` : `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

/** How many of the open alerts the dashboard reads (`/api/alerts?open=true`; their count comes from the answer's total). */
export const ALERTS_READ = 200;

/** An alert as much as the dashboard reads of it. */
export interface GlanceAlert {
  id: string;
  level: string;
  state: string;
  acknowledgedAt: string | null;
  raisedAt: string;
}

/**
 * The open alerts among those read (raised, or clearing and not yet cleared; a pending one has
 * not been raised yet), the ones nobody acknowledged first, then newest first.
 */
export function activeAlerts<A extends GlanceAlert>(alerts: readonly A[]): A[] {
  return alerts
    .filter((a) => a.state === 'raised' || a.state === 'clearing')
    .sort((a, b) => Number(a.acknowledgedAt !== null) - Number(b.acknowledgedAt !== null) || Date.parse(b.raisedAt) - Date.parse(a.raisedAt));
}
