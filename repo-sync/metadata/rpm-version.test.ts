import { describe, expect, it } from 'vitest';
import { compareEvr, formatEvr, rpmvercmp, satisfies } from './rpm-version.js';

describe('rpmvercmp (cases from rpm tests/rpmvercmp.at)', () => {
  it.each([
    ['1.0', '1.0', 0], ['1.0', '2.0', -1], ['2.0', '1.0', 1], ['2.0.1', '2.0.1', 0], ['2.0', '2.0.1', -1],
    ['2.0.1a', '2.0.1', 1], ['5.5p1', '5.5p2', -1], ['5.5p10', '5.5p1', 1], ['10xyz', '10.1xyz', -1],
    ['xyz10', 'xyz10.1', -1], ['xyz.4', '8', -1], ['1.0010', '1.9', 1], ['1.05', '1.5', 0], ['1.0', '1', 1],
    ['2.50', '2.5', 1], ['fc4', 'fc.4', 0], ['3.0.0_fc', '3.0.0.fc', 0], ['1++', '1_', 0], ['1b', '1.1', -1],
    ['1.0~rc1', '1.0', -1], ['1.0~rc1', '1.0~rc2', -1], ['1.0~rc1~git123', '1.0~rc1', -1], ['1.0^', '1.0', 1],
    ['1.0^git1', '1.0', 1], ['1.0^git1', '1.01', -1], ['1.0^git1', '1.0^git2', -1], ['1.0~rc1^git1', '1.0~rc1', 1],
    ['a', 'a', 0], ['a+', 'a+', 0], ['1.0', '1.0a', -1], ['a', '1', -1],
  ])('%s vs %s = %d', (a, b, want) => {
    expect(rpmvercmp(a, b)).toBe(want);
  });

  // Also checked both ways round: rpmvercmp is antisymmetric.
  it.each([
    ['1.0', '1.0', 0], ['1.0', '2.0', -1], ['2.0', '1.0', 1], ['2.0.1', '2.0.1', 0], ['2.0', '2.0.1', -1], ['2.0.1a', '2.0.1', 1],
    ['5.5p1', '5.5p2', -1], ['5.5p10', '5.5p1', 1], ['10xyz', '10.1xyz', -1], ['xyz10', 'xyz10.1', -1], ['1.0aa', '1.0a', 1],
    ['10', '9', 1], ['010', '10', 0], ['1.0~rc1', '1.0', -1], ['1.0~rc1', '1.0~rc2', -1], ['1.0^', '1.0', 1], ['1.0^git1', '1.0.1', -1],
    ['a', '1', -1], ['1.fc33', '1.el9', 1],
  ] as const)('%s vs %s → %i (and reversed)', (a, b, want) => {
    expect(rpmvercmp(a, b)).toBe(want);
    expect(rpmvercmp(b, a)).toBe(-want || 0);
  });

  // Answers of rpm 4.18's own rpm.vercmp for inputs outside rpmvercmp.at: non-ASCII letters and
  // other bytes only separate, digit runs of any length compare without overflow.
  it.each([
    ['1.é2', '1.2', 0], ['1é', '1', 0], ['12345678901234567890', '12345678901234567891', -1], ['1.~', '1', -1], ['1^~', '1^', -1],
  ])('%s vs %s = %d (as rpm 4.18)', (a, b, want) => {
    expect(rpmvercmp(a, b)).toBe(want);
    expect(rpmvercmp(b, a)).toBe(-want || 0);
  });
});

describe('compareEvr (rpmverCmp)', () => {
  it('compares epoch first, then version, then release', () => {
    expect(compareEvr({ epoch: '1', version: '1.0', release: '1' }, { epoch: '0', version: '9.9', release: '9' })).toBe(1);
    expect(compareEvr({ epoch: '0', version: '1.0', release: '2.el9' }, { epoch: '', version: '1.0', release: '10.el9' })).toBe(-1);
    expect(compareEvr({ epoch: '1', version: '1.0' }, { epoch: '0', version: '9.0' })).toBe(1);
    expect(compareEvr({ version: '2.0', release: '3' }, { version: '2.0', release: '10' })).toBe(-1);
  });

  // Where the two earlier implementations disagreed. rpm 4.18: rpm.vercmp("2.0-3", "2.0") = 1,
  // rpm.vercmp("18446744073709551616:1", "18446744073709551615:1") = 1.
  it('orders a missing release before a present one, as rpm orders packages', () => {
    expect(compareEvr({ version: '2.0', release: '3' }, { version: '2.0' })).toBe(1);
    expect(compareEvr({ version: '2.0' }, { version: '2.0', release: '3' })).toBe(-1);
  });

  it('compares epochs as rpmvercmp does: antisymmetric for any text, exact past 2^53', () => {
    expect(compareEvr({ epoch: '18446744073709551616', version: '1' }, { epoch: '18446744073709551615', version: '1' })).toBe(1);
    expect(compareEvr({ epoch: 'x', version: '1' }, { epoch: '0', version: '1' })).toBe(-1);
    expect(compareEvr({ epoch: '0', version: '1' }, { epoch: 'x', version: '1' })).toBe(1);
  });
});

describe('satisfies (rpmdsCompare + rpmverOverlap, provide as "= EVR")', () => {
  it('checks a provide against a versioned requirement', () => {
    expect(satisfies({ version: '1.0', release: '1' }, 'GE', { version: '2.0' })).toBe(false);
    expect(satisfies({ version: '2.0', release: '1' }, 'GE', { version: '2.0' })).toBe(true);
    expect(satisfies({ version: '2.0' }, 'LT', { version: '2.0' })).toBe(false);
    expect(satisfies(undefined, 'EQ', { version: '2.0' })).toBe(true);
    expect(satisfies({ version: '1' }, undefined, {})).toBe(true);
  });

  it('does not compare a release missing on one side (a requirement on 2.0 accepts 2.0-3)', () => {
    expect(satisfies({ version: '2.0', release: '3' }, 'EQ', { version: '2.0' })).toBe(true);
    expect(satisfies({ version: '2.0', release: '3' }, 'LT', { version: '2.0' })).toBe(false);
    // The provide side includes equality, so a release-less provide meets `< 2.0-1` too.
    expect(satisfies({ version: '2.0' }, 'LT', { version: '2.0', release: '1' })).toBe(true);
    expect(satisfies({ version: '2.0', release: '3' }, 'LT', { version: '2.0', release: '4' })).toBe(true);
    expect(satisfies({ version: '2.0', release: '5' }, 'LE', { version: '2.0', release: '4' })).toBe(false);
  });

  it('compares epochs only when both sides have one, else a positive epoch wins', () => {
    expect(satisfies({ epoch: '1', version: '1.0' }, 'GE', { version: '2.0' })).toBe(true);
    expect(satisfies({ version: '9.0' }, 'GE', { epoch: '1', version: '2.0' })).toBe(false);
    expect(satisfies({ epoch: '0', version: '2.0' }, 'EQ', { version: '2.0' })).toBe(true);
    expect(satisfies({ epoch: '2', version: '1.0' }, 'GT', { epoch: '1', version: '5.0' })).toBe(true);
  });

  it('formats an EVR as rpm prints it', () => {
    expect(formatEvr({ epoch: '0', version: '2.0' })).toBe('2.0');
    expect(formatEvr({ epoch: '2', version: '1.0', release: '3.el9' })).toBe('2:1.0-3.el9');
  });
});
