/**
 * When a repo's next scheduled sync is due (pure). `interval`: every N minutes after the last
 * run; `cron`: the classic five fields (minute hour day-of-month month day-of-week, UTC) with `*`,
 * lists, ranges and steps (`*\/15`, `1-5`, `0,30`); when both day fields are restricted, either
 * may match (as in Vixie cron). `manual`: never.
 */
import type { z } from 'zod';
import type { repoScheduleSchema } from './config.js';

export type RepoSchedule = z.output<typeof repoScheduleSchema>;

const fields = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day-of-month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12 },
  { name: 'day-of-week', min: 0, max: 7 },
] as const;

export interface CronSpec {
  sets: readonly (ReadonlySet<number>)[];
  domStar: boolean;
  dowStar: boolean;
}

/** Parses five cron fields; throws a TypeError naming the bad field. */
export function parseCron(expression: string): CronSpec {
  const parts = expression.trim().split(/\s+/);
  if (parts.length !== 5) throw new TypeError(`cron expression must have 5 fields — got ${parts.length}: '${expression}'`);
  const sets = parts.map((part, i) => {
    const f = fields[i]!;
    const set = new Set<number>();
    for (const item of part.split(',')) {
      const m = /^(\*|(\d+)(?:-(\d+))?)(?:\/(\d+))?$/.exec(item);
      if (!m) throw new TypeError(`cron ${f.name} field '${part}' is not a number, range, list or step`);
      const lo = m[1] === '*' ? f.min : Number(m[2]);
      const hi = m[1] === '*' ? f.max : m[3] !== undefined ? Number(m[3]) : m[4] !== undefined ? f.max : lo;
      const step = m[4] !== undefined ? Number(m[4]) : 1;
      if (lo < f.min || hi > f.max || lo > hi || step < 1) throw new TypeError(`cron ${f.name} field '${part}' is outside ${f.min}-${f.max}`);
      for (let v = lo; v <= hi; v += step) set.add(i === 4 && v === 7 ? 0 : v);
    }
    return set;
  });
  return { sets, domStar: parts[2] === '*', dowStar: parts[4] === '*' };
}

function cronMatches(spec: CronSpec, d: Date): boolean {
  const [min, hour, dom, month, dow] = spec.sets as [Set<number>, Set<number>, Set<number>, Set<number>, Set<number>];
  if (!min.has(d.getUTCMinutes()) || !hour.has(d.getUTCHours()) || !month.has(d.getUTCMonth() + 1)) return false;
  const domOk = dom.has(d.getUTCDate());
  const dowOk = dow.has(d.getUTCDay());
  if (spec.domStar || spec.dowStar) return domOk && dowOk;
  return domOk || dowOk;
}

/** The next time a sync is due strictly after `after` (whole minutes), or undefined for manual. */
export function nextRun(schedule: RepoSchedule, after: Date, lastRun?: Date): Date | undefined {
  if (schedule.kind === 'manual') return undefined;
  if (schedule.kind === 'interval') {
    const base = lastRun ?? after;
    const due = new Date(base.getTime() + schedule.everyMinutes * 60_000);
    return due.getTime() > after.getTime() ? due : new Date(after.getTime() + 1000);
  }
  const spec = parseCron(schedule.expression);
  const t = new Date(after.getTime());
  t.setUTCSeconds(0, 0);
  for (let i = 0; i < 60 * 24 * 366 * 5; i++) {
    t.setUTCMinutes(t.getUTCMinutes() + 1);
    if (cronMatches(spec, t)) return new Date(t.getTime());
  }
  return undefined;
}
