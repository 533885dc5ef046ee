import { describe, expect, it } from 'vitest';
import { anvilName, hostName, pairNames } from './names.js';

describe('Anvil! names', () => {
  it.each([
    ['an', 1, 'an-anvil-01', 'an-a01n01', 'an-a01n02', 'an-a01dr01'],
    ['xy', 12, 'xy-anvil-12', 'xy-a12n01', 'xy-a12n02', 'xy-a12dr01'],
    ['abcde', 99, 'abcde-anvil-99', 'abcde-a99n01', 'abcde-a99n02', 'abcde-a99dr01'],
  ])('%s pair %i → %s, %s, %s, %s', (prefix, sequence, anvil, n1, n2, dr) => {
    expect(anvilName(prefix, sequence)).toBe(anvil);
    expect([hostName(prefix, sequence, 'node1'), hostName(prefix, sequence, 'node2'), hostName(prefix, sequence, 'dr')]).toEqual([n1, n2, dr]);
  });

  it('qualifies every host with the domain', () => {
    expect(pairNames({ prefix: 'an', sequence: 3, domain: 'example.lan' })).toEqual({
      anvil: 'an-anvil-03',
      hosts: {
        node1: { short: 'an-a03n01', fqdn: 'an-a03n01.example.lan' },
        node2: { short: 'an-a03n02', fqdn: 'an-a03n02.example.lan' },
        dr: { short: 'an-a03dr01', fqdn: 'an-a03dr01.example.lan' },
      },
    });
  });
});
