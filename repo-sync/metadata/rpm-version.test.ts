import { describe, expect, it } from 'vitest';
import { compareEvr, rpmvercmp } from './rpm-version.js';

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

  it('compares epoch first, then version, then release', () => {
    expect(compareEvr({ epoch: '1', version: '1.0', release: '1' }, { epoch: '0', version: '9.9', release: '9' })).toBe(1);
    expect(compareEvr({ epoch: '0', version: '1.0', release: '2.el9' }, { epoch: '', version: '1.0', release: '10.el9' })).toBe(-1);
  });
});
