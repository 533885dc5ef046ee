/**
 * When a repo's next scheduled sync is due (pure; the clock is passed in). `interval`: every N
 * minutes after the last run; `cron`: the classic five fields (minute hour day-of-month month
 * day-of-week) read by croner in the schedule's IANA time zone (UTC when none is given); when both
 * day fields are restricted, either may match (as in Vixie cron). `manual`: never.
 */
import { Cron } from 'croner';

export type RepoSchedule =
  | { kind: 'manual' }
  | { kind: 'interval'; everyMinutes: number }
  | { kind: 'cron'; expression: string; timeZone?: string | undefined };

/** How far ahead `checkCron` looks for a first run: a leap day fires within 8 years. */
const HORIZON_YEARS = 8;

function cronOf(expression: string, timeZone: string | undefined): Cron {
  return new Cron(expression, { mode: '5-part', timezone: timeZone ?? 'UTC', paused: true, domAndDow: false });
}

/**
 * Checks a five-field cron expression and time zone: throws a TypeError saying what is wrong,
 * including an expression that can never fire (`0 0 31 2 *`: there is no 31 February).
 */
export function checkCron(expression: string, timeZone?: string, from: Date = new Date()): void {
  let cron: Cron;
  try {
    cron = cronOf(expression, timeZone);
  } catch (error) {
    throw new TypeError(`cron expression '${expression}' is not valid: ${(error as Error).message}`, { cause: error });
  }
  const first = cron.nextRun(from);
  const horizon = new Date(from.getTime());
  horizon.setUTCFullYear(horizon.getUTCFullYear() + HORIZON_YEARS);
  if (first === null || first.getTime() > horizon.getTime()) {
    throw new TypeError(`cron expression '${expression}' never fires (no matching date within ${HORIZON_YEARS} years)`);
  }
}

/** Whether `timeZone` is an IANA time zone name this Node knows (`Europe/Stockholm`, `UTC`). */
export function isTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone });
    return true;
  } catch {
    return false;
  }
}

/** The next time a sync is due strictly after `after`, or undefined for manual (or a cron that never fires). */
export function nextRun(schedule: RepoSchedule, after: Date, lastRun?: Date): Date | undefined {
  if (schedule.kind === 'manual') return undefined;
  if (schedule.kind === 'interval') {
    const base = lastRun ?? after;
    const due = new Date(base.getTime() + schedule.everyMinutes * 60_000);
    return due.getTime() > after.getTime() ? due : new Date(after.getTime() + 1000);
  }
  return cronOf(schedule.expression, schedule.timeZone).nextRun(after) ?? undefined;
}
