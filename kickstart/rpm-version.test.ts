import { describe, expect, it } from 'vitest';
import { compareEvr, rpmvercmp, satisfies } from './rpm-version.js';

describe('rpmvercmp (cases from rpm tests/rpmvercmp.at)', () => {
  it.each([
    ['1.0', '1.0', 0], ['1.0', '2.0', -1], ['2.0', '1.0', 1], ['2.0.1', '2.0.1', 0], ['2.0', '2.0.1', -1], ['2.0.1a', '2.0.1', 1],
    ['5.5p1', '5.5p2', -1], ['5.5p10', '5.5p1', 1], ['10xyz', '10.1xyz', -1], ['xyz10', 'xyz10.1', -1], ['1.0aa', '1.0a', 1],
    ['10', '9', 1], ['010', '10', 0], ['1.0~rc1', '1.0', -1], ['1.0~rc1', '1.0~rc2', -1], ['1.0^', '1.0', 1], ['1.0^git1', '1.0.1', -1],
    ['a', '1', -1], ['1.fc33', '1.el9', 1],
  ] as const)('%s vs %s → %i', (a, b, want) => {
    expect(rpmvercmp(a, b)).toBe(want);
    expect(rpmvercmp(b, a)).toBe(-want || 0);
  });

  it('orders by epoch first and ignores a missing release', () => {
    expect(compareEvr({ epoch: '1', ver: '1.0' }, { epoch: '0', ver: '9.0' })).toBe(1);
    expect(compareEvr({ ver: '2.0', rel: '3' }, { ver: '2.0' })).toBe(0);
    expect(compareEvr({ ver: '2.0', rel: '3' }, { ver: '2.0', rel: '10' })).toBe(-1);
  });

  it('checks a provide against a versioned requirement', () => {
    expect(satisfies({ ver: '1.0', rel: '1' }, 'GE', { ver: '2.0' })).toBe(false);
    expect(satisfies({ ver: '2.0', rel: '1' }, 'GE', { ver: '2.0' })).toBe(true);
    expect(satisfies({ ver: '2.0' }, 'LT', { ver: '2.0' })).toBe(false);
    expect(satisfies(undefined, 'EQ', { ver: '2.0' })).toBe(true);
    expect(satisfies({ ver: '1' }, undefined, {})).toBe(true);
  });
});
