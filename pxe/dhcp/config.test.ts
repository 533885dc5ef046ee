import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../striker/core/errors/index.js';
import { parseDhcpConfig } from './config.js';

describe('parseDhcpConfig', () => {
  it('fills defaults and freezes', () => {
    const c = parseDhcpConfig({});
    expect(c).toMatchObject({ mode: 'full', interfaces: [], ports: { server: 67, client: 68, proxy: 4011 }, subnets: [] });
    expect(c.boot.bios).toBe('undionly.kpxe');
    expect(Object.isFrozen(c)).toBe(true);
  });

  it('lists every problem with its path', () => {
    let error: unknown;
    try {
      parseDhcpConfig({
        interfaces: ['bcn1'],
        serverAddress: '10.201.4.1',
        subnets: [
          { cidr: '10.201.0.0', pools: [] },
          { cidr: '10.201.0.0/16', pools: [{ start: '10.201.9.9', end: '10.201.1.1' }, { start: '10.200.0.1', end: '10.201.0.255' }], router: '10.1.1.1', leaseTime: 600, renewTime: 700 },
          { cidr: '10.201.4.0/24' },
          { cidr: '10.202.4.1/16' },
        ],
        reservations: [{ mac: '52:54:00:00:00:01', ip: '192.168.0.1' }, { mac: '52-54-00-00-00-01', ip: '10.201.0.7' }],
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems.map((p) => `${p.path}: ${p.message}`);
    expect(problems).toEqual([
      "subnets.0.cidr: must be a CIDR like 10.201.0.0/16 (dotted quad without leading zeros, / and a length 0–32) — got '10.201.0.0'",
      "subnets.3.cidr: must be a CIDR like 10.201.0.0/16 with no host bits (the network is 10.202.0.0/16) — got '10.202.4.1/16'",
      'subnets.1.pools.0: start 10.201.9.9 is after end 10.201.1.1',
      'subnets.1.pools.1.start: 10.200.0.1 is outside 10.201.0.0/16',
      'subnets.1.router: 10.1.1.1 is outside 10.201.0.0/16',
      'subnets.1: need renewTime < rebindTime < leaseTime — got 700, 525, 600',
      'subnets.2.cidr: 10.201.4.0/24 overlaps subnets.1 (10.201.0.0/16)',
      'reservations.0.ip: 192.168.0.1 is in no configured subnet',
      'reservations.1.mac: 52:54:00:00:00:01 is already reserved in reservations.0',
    ]);
  });

  it('reports schema problems (types, unknown keys) all at once', () => {
    let error: unknown;
    try {
      parseDhcpConfig({ mode: 'relay', serverAddress: 'x', ports: { server: 0 }, bogus: 1, subnets: [{ cidr: '10.0.0.0/8', options: [{ code: 300, text: 'a', hex: 'zz' }] }] });
    } catch (e) {
      error = e;
    }
    const paths = (error as ConfigError).problems.map((p) => p.path);
    expect(paths).toEqual(expect.arrayContaining(['mode', 'serverAddress', 'ports.server', '', 'subnets.0.options.0.code', 'subnets.0.options.0.hex']));
  });

  it('needs a server address and a local subnet when an interface is set', () => {
    expect(() => parseDhcpConfig({ interfaces: ['bcn1'] })).toThrow(/serverAddress: must be set/);
    expect(() => parseDhcpConfig({ interfaces: ['bcn1'], serverAddress: '10.0.0.1' })).toThrow(/10.0.0.1 is in no configured subnet/);
  });
});
