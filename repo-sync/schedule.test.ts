import { describe, expect, it } from 'vitest';
import { repoConfigSchema } from './config.js';
import { checkCron, nextRun } from './schedule.js';

const at = (s: string) => new Date(s);

describe('nextRun', () => {
  it('manual never runs', () => {
    expect(nextRun({ kind: 'manual' }, at('2026-01-01T00:00:00Z'))).toBeUndefined();
  });

  it('interval counts from the last run, and is due at once when overdue', () => {
    expect(nextRun({ kind: 'interval', everyMinutes: 60 }, at('2026-01-01T10:10:00Z'), at('2026-01-01T10:00:00Z'))).toEqual(at('2026-01-01T11:00:00Z'));
    expect(nextRun({ kind: 'interval', everyMinutes: 60 }, at('2026-01-01T12:00:00Z'), at('2026-01-01T10:00:00Z'))).toEqual(at('2026-01-01T12:00:01Z'));
  });

  it.each([
    ['0 3 * * *', '2026-01-01T02:59:30Z', '2026-01-01T03:00:00Z'],
    ['0 3 * * *', '2026-01-01T03:00:00Z', '2026-01-02T03:00:00Z'],
    ['*/15 * * * *', '2026-01-01T10:07:00Z', '2026-01-01T10:15:00Z'],
    ['30 2 * * 0', '2026-01-01T00:00:00Z', '2026-01-04T02:30:00Z'],
    ['30 2 * * 7', '2026-01-01T00:00:00Z', '2026-01-04T02:30:00Z'],
    ['0 0 1 * *', '2026-01-15T00:00:00Z', '2026-02-01T00:00:00Z'],
    ['0 12 1-5 6 *', '2026-01-01T00:00:00Z', '2026-06-01T12:00:00Z'],
    ['0 0 13 * 5', '2026-01-01T00:00:00Z', '2026-01-02T00:00:00Z'],
  ])('%s after %s is %s', (expression, after, want) => {
    expect(nextRun({ kind: 'cron', expression }, at(after))).toEqual(at(want));
  });
});

describe('cron in a time zone', () => {
  it.each([
    // 03:00 in Stockholm is 02:00 UTC in winter (CET) and 01:00 UTC in summer (CEST).
    ['0 3 * * *', 'Europe/Stockholm', '2026-01-10T12:00:00Z', '2026-01-11T02:00:00Z'],
    ['0 3 * * *', 'Europe/Stockholm', '2026-07-10T12:00:00Z', '2026-07-11T01:00:00Z'],
    ['30 9 * * 1', 'America/New_York', '2026-01-01T00:00:00Z', '2026-01-05T14:30:00Z'],
    ['0 3 * * *', 'UTC', '2026-01-10T12:00:00Z', '2026-01-11T03:00:00Z'],
  ])('%s in %s after %s is %s', (expression, timeZone, after, want) => {
    expect(nextRun({ kind: 'cron', expression, timeZone }, at(after))).toEqual(at(want));
  });
});

describe('checkCron', () => {
  it.each([
    ['0 0 31 2 *', /never fires/],
    ['0 0 30 2 *', /never fires/],
    ['61 * * * *', /is not valid/],
    ['* 24 * * *', /is not valid/],
    ['x * * * *', /is not valid/],
  ])('refuses %s', (expression, message) => {
    expect(() => checkCron(expression, 'UTC', at('2026-01-01T00:00:00Z'))).toThrow(message);
  });

  it('accepts a leap day, which fires within the horizon', () => {
    expect(() => checkCron('0 0 29 2 *', 'UTC', at('2026-03-01T00:00:00Z'))).not.toThrow();
  });

  it('the repo schema refuses a cron that never fires and an unknown time zone, naming the field', () => {
    const base = { name: 'baseos', source: { kind: 'directory', path: '/srv/baseos' } };
    const never = repoConfigSchema.safeParse({ ...base, schedule: { kind: 'cron', expression: '0 0 31 2 *' } });
    expect(never.success).toBe(false);
    expect(never.error?.issues.map((i) => [i.path.join('.'), i.message])).toEqual([['schedule.expression', expect.stringMatching(/never fires/)]]);
    const zone = repoConfigSchema.safeParse({ ...base, schedule: { kind: 'cron', expression: '0 3 * * *', timeZone: 'Mars/Olympus' } });
    expect(zone.success).toBe(false);
    expect(zone.error?.issues.map((i) => i.path.join('.'))).toEqual(['schedule.timeZone']);
    expect(repoConfigSchema.parse({ ...base, schedule: { kind: 'cron', expression: '0 3 * * *', timeZone: 'Europe/Stockholm' } }).schedule).toEqual({ kind: 'cron', expression: '0 3 * * *', timeZone: 'Europe/Stockholm' });
  });
});
