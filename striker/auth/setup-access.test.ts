import { describe, expect, it } from 'vitest';
import { maySetUp } from './setup-access.js';

describe('maySetUp', () => {
  it.each([
    ['127.0.0.1', [], true],
    ['127.8.9.10', [], true],
    ['::1', [], true],
    ['::ffff:127.0.0.1', [], true],
    ['10.201.4.20', [], false],
    ['10.201.4.20', ['10.201.4.20'], true],
    ['::ffff:10.201.4.20', ['10.201.4.20'], true],
    ['10.201.4.21', ['10.201.4.20'], false],
    ['10.201.9.9', ['10.201.0.0/16'], true],
    ['10.202.0.1', ['10.201.0.0/16'], false],
    ['fe80::1', ['10.201.0.0/16'], false],
  ])('%s with %j → %s', (ip, addresses, allowed) => {
    expect(maySetUp(ip, addresses)).toBe(allowed);
  });
});
