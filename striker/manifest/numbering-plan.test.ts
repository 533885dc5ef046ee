import { describe, expect, it } from 'vitest';
import { defaultAddresses, defaultHostAddress, defaultIpmiAddress, defaultSubnet } from './numbering-plan.js';

describe('numbering plan', () => {
  it.each([
    ['bcn', 1, '10.201.0.0/16'],
    ['bcn', 2, '10.202.0.0/16'],
    ['sn', 1, '10.101.0.0/16'],
    ['mn', 1, '10.199.0.0/16'],
    ['ifn', 1, undefined],
  ] as const)('%s%i defaults to %s', (kind, index, subnet) => {
    expect(defaultSubnet(kind, index)).toBe(subnet);
  });

  it.each([
    // subnet, sequence, host, address
    ['10.201.0.0/16', 1, 'node1', '10.201.10.1'],
    ['10.201.0.0/16', 1, 'node2', '10.201.10.2'],
    ['10.201.0.0/16', 1, 'dr', '10.201.10.3'],
    ['10.101.0.0/16', 2, 'node2', '10.101.20.2'],
    ['10.201.0.0/16', 25, 'node1', '10.201.250.1'],
    // a /16 has no block 260: the ten-address block instead
    ['10.201.0.0/16', 26, 'node1', '10.201.1.5'],
    // a /24 takes the ten-address block: pair 1 → .11 .12 .13
    ['192.168.122.0/24', 1, 'node1', '192.168.122.11'],
    ['192.168.122.0/24', 1, 'dr', '192.168.122.13'],
    ['192.168.122.0/24', 3, 'node2', '192.168.122.32'],
    // too small for either block
    ['192.168.122.0/28', 2, 'node1', undefined],
    ['not a subnet', 1, 'node1', undefined],
  ] as const)('%s pair %i %s → %s', (subnet, sequence, host, address) => {
    expect(defaultHostAddress(subnet, sequence, host)).toBe(address);
  });

  it('puts BMCs in the block after the hosts', () => {
    expect(defaultIpmiAddress('10.201.0.0/16', 1, 'node1')).toBe('10.201.11.1');
    expect(defaultIpmiAddress('10.201.0.0/16', 1, 'node2')).toBe('10.201.11.2');
    expect(defaultIpmiAddress('10.201.0.0/24', 1, 'node1')).toBe('10.201.0.14');
  });

  it('fills every network it can', () => {
    const networks = [
      { kind: 'bcn', index: 1, subnet: '10.201.0.0/16' },
      { kind: 'sn', index: 1, subnet: '10.101.0.0/16' },
      { kind: 'ifn', index: 1, subnet: '192.168.122.0/30' },
    ] as const;
    expect(defaultAddresses(networks, 1, 'node2')).toEqual({ bcn1: '10.201.10.2', sn1: '10.101.10.2' });
  });
});
