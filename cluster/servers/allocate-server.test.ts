import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../striker/core/errors/index.js';
import { allocateServer, type ExistingServer } from './allocate-server.js';

const n1 = { name: 'an-a01n01', snAddress: '10.101.10.1' };
const n2 = { name: 'an-a01n02', snAddress: '10.101.10.2' };
const pairHosts = ['an-a01n01', 'an-a01n02'];

function problems(existing: ExistingServer[], request: unknown): { path: string; message: string }[] {
  try { allocateServer(existing, request); } catch (e) {
    expect(e).toBeInstanceOf(ValidationError);
    return (e as ValidationError).details['problems'] as { path: string; message: string }[];
  }
  throw new Error('allocation was accepted');
}

describe('allocateServer', () => {
  it.each([
    ['the first server', [], 0, 7788],
    ['after one', [{ name: 'a', hosts: pairHosts, minor: 0, port: 7788 }], 1, 7791],
    ['into a gap', [{ name: 'a', hosts: pairHosts, minor: 0, port: 7788 }, { name: 'b', hosts: pairHosts, minor: 2, port: 7794 }], 1, 7791],
    ['past a server with an odd port', [{ name: 'a', hosts: pairHosts, minor: 0, port: 7789 }], 1, 7792],
    ['ignoring other pairs', [{ name: 'a', hosts: ['an-a02n01', 'an-a02n02'], minor: 0, port: 7788 }], 0, 7788],
    ['counting a DR host another pair shares', [{ name: 'a', hosts: ['an-a02n01', 'an-a02n02', 'an-a01dr01'], minor: 0, port: 7788 }], 1, 7791],
  ])('%s', (_what, existing, minor, port) => {
    const a = allocateServer(existing, { name: 'srv09', nodes: [n1, n2], dr: { name: 'an-a01dr01', snAddress: '10.101.10.3', protocol: 'A' } });
    expect(a).toEqual({
      name: 'srv09', minor, port, device: `/dev/drbd${minor}`,
      nodes: [{ name: 'an-a01n01', address: '10.101.10.1' }, { name: 'an-a01n02', address: '10.101.10.2' }],
      dr: { name: 'an-a01dr01', address: '10.101.10.3', protocol: 'A' },
    });
  });

  it('keeps a free explicit minor and port', () => {
    const a = allocateServer([{ name: 'a', hosts: pairHosts, minor: 0, port: 7788 }], { name: 'srv09', nodes: [n1, n2], minor: 7, port: 7800 });
    expect([a.minor, a.port]).toEqual([7, 7800]);
  });

  it('refuses every problem at once: bad name, used minor, overlapping port, missing SN address', () => {
    const found = problems([{ name: 'srv01', hosts: pairHosts, minor: 4, port: 7788 }], { name: 'srv 1', minor: 4, port: 7790, nodes: [n1, { name: 'an-a01n02' }] });
    expect(found).toEqual([
      { path: 'name', message: expect.stringContaining("got 'srv 1'") },
      { path: 'nodes.1.snAddress', message: 'is required: DRBD replicates over the SN, and an-a01n02 has no SN address' },
      { path: 'minor', message: 'minor 4 is already used by server srv01 on an-a01n01, an-a01n02' },
      { path: 'port', message: 'ports 7790–7792 overlap ports 7788–7790 of server srv01 on an-a01n01, an-a01n02' },
    ]);
  });

  it.each([
    ['a name in use (any case)', [{ name: 'SRV01', hosts: ['x1'], minor: 0, port: 7788 }], { name: 'srv01', nodes: [n1, n2] }, 'name'],
    ['the same host twice', [], { name: 'srv01', nodes: [n1, n1] }, 'nodes.1'],
    ['a DR host without an SN address', [], { name: 'srv01', nodes: [n1, n2], dr: { name: 'an-a01dr01', protocol: 'C' } }, 'dr.snAddress'],
    ['an unknown protocol', [], { name: 'srv01', nodes: [n1, n2], dr: { name: 'an-a01dr01', snAddress: '10.101.10.3', protocol: 'B' } }, 'dr.protocol'],
    ['a port too high for three', [], { name: 'srv01', nodes: [n1, n2], port: 65534 }, 'port'],
    ['no nodes', [], { name: 'srv01' }, 'nodes'],
  ])('refuses %s', (_what, existing, request, path) => {
    expect(problems(existing, request).map((p) => p.path)).toContain(path);
  });
});
