import { describe, expect, it } from 'vitest';
import { nextRun, parseCron } from './schedule.js';

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

describe('parseCron', () => {
  it.each([
    ['* * * *', /must have 5 fields — got 4/],
    ['61 * * * *', /minute field '61' is outside 0-59/],
    ['* 24 * * *', /hour field '24' is outside 0-23/],
    ['* * 0 * *', /day-of-month field '0' is outside 1-31/],
    ['x * * * *', /minute field 'x' is not a number/],
    ['*/0 * * * *', /outside/],
  ])('refuses %s', (expression, message) => {
    expect(() => parseCron(expression)).toThrow(message);
  });
});
