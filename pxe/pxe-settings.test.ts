import { describe, expect, it } from 'vitest';
import type { HostInterface } from './host-interfaces.js';
import { parseIpAddr } from './host-interfaces.js';
import { parsePxeConfig } from './pxe-config.js';
import { pxeSettingsProblems, reservedIpProblem, runningPxeSettings, suggestPxeSettings, withPxeSettings, type PxeSettings } from './pxe-settings.js';

const nic = (name: string, ipv4: string[], over: Partial<HostInterface> = {}): HostInterface => ({ name, mac: '52:54:00:00:00:01', state: 'UP', carrier: true, loopback: false, speedMbps: 1000, ipv4, ...over });
const host = [nic('lo', ['127.0.0.1/8'], { loopback: true, mac: null }), nic('eth0', ['192.168.1.5/24']), nic('bcn1', ['10.201.4.1/16'])];
const good: PxeSettings = { enabled: true, interface: 'bcn1', address: '10.201.4.1', subnet: '10.201.0.0/16', mode: 'full', rangeStart: '10.201.10.1', rangeEnd: '10.201.10.200' };

describe('pxeSettingsProblems', () => {
  it.each<[string, Partial<PxeSettings>, { path: string; message: string }[]]>([
    ['good settings', {}, []],
    ['an interface the host does not have', { interface: 'bcn9' }, [{ path: 'interface', message: 'bcn9 is not an interface of this host (it has: eth0, bcn1)' }]],
    ['an address not on the interface', { interface: 'eth0' }, [{ path: 'address', message: '10.201.4.1 is not configured on eth0 (it has: 192.168.1.5/24)' }]],
    ['an address outside the subnet', { address: '10.201.4.1', subnet: '10.202.0.0/16' }, [
      { path: 'address', message: '10.201.4.1 is not a host address in 10.202.0.0/16' },
      { path: 'rangeStart', message: '10.201.10.1 is outside 10.202.0.0/16 (or is its network or broadcast address)' },
      { path: 'rangeEnd', message: '10.201.10.200 is outside 10.202.0.0/16 (or is its network or broadcast address)' },
    ]],
    ['a range backwards', { rangeStart: '10.201.10.9', rangeEnd: '10.201.10.1' }, [{ path: 'rangeEnd', message: '10.201.10.1 comes before the start 10.201.10.9' }]],
    ['a range holding the Striker', { rangeStart: '10.201.4.1', rangeEnd: '10.201.4.9' }, [{ path: 'rangeStart', message: "the range 10.201.4.1–10.201.4.9 holds this Striker's own address 10.201.4.1" }]],
    ['full mode without a range', { rangeStart: null, rangeEnd: undefined }, [
      { path: 'rangeStart', message: 'is required in full DHCP mode (the addresses machines lease)' },
      { path: 'rangeEnd', message: 'is required in full DHCP mode (the addresses machines lease)' },
    ]],
    ['proxy mode needs no range', { mode: 'proxy', rangeStart: null, rangeEnd: null }, []],
    ['off: the address need not be up yet', { enabled: false, interface: 'eth0' }, []],
  ])('%s', (_name, change, expected) => {
    expect(pxeSettingsProblems({ ...good, ...change }, host)).toEqual(expected);
  });
});

describe('withPxeSettings', () => {
  const file = parsePxeConfig({ dhcp: { subnets: [
    { cidr: '10.201.0.0/16', dns: ['10.201.4.1'], pools: [{ start: '10.201.5.1', end: '10.201.5.9' }] },
    { cidr: '10.0.0.0/8' },
    { cidr: '192.168.50.0/24' },
  ], reservations: [{ mac: '52:54:00:00:00:09', ip: '10.9.0.9' }, { mac: '52:54:00:00:00:0a', ip: '192.168.50.9' }] } }, 'http://x:1');

  it('lays the settings over the file: same-CIDR subnet options kept, overlapping subnets and their reservations dropped', () => {
    const merged = parsePxeConfig(withPxeSettings(file, good), 'http://10.201.4.1:8080');
    expect(merged).toMatchObject({ enabled: true, interface: 'bcn1', address: '10.201.4.1' });
    expect(merged.dhcp.interfaces).toEqual(['bcn1']);
    expect(merged.dhcp.subnets.map((s) => [s.cidr, s.pools, s.dns])).toEqual([
      ['10.201.0.0/16', [{ start: '10.201.10.1', end: '10.201.10.200' }], ['10.201.4.1']],
      ['192.168.50.0/24', [], []],
    ]);
    expect(merged.dhcp.reservations.map((r) => r.ip)).toEqual(['192.168.50.9']);
    expect(runningPxeSettings(merged)).toEqual(good);
  });

  it('proxy mode leases nothing', () => {
    const merged = parsePxeConfig(withPxeSettings(file, { ...good, mode: 'proxy' }), 'http://10.201.4.1:8080');
    expect(merged.dhcp.mode).toBe('proxy');
    expect(merged.dhcp.subnets[0]!.pools).toEqual([]);
  });
});

describe('suggestPxeSettings', () => {
  it("offers the wizard's BCN, the interface carrying its address and a range without the Striker", () => {
    expect(suggestPxeSettings({ subnet: '10.201.0.0/16', address: '10.201.4.1' }, host)).toEqual({
      enabled: true, mode: 'full', subnet: '10.201.0.0/16', address: '10.201.4.1', interface: 'bcn1', rangeStart: '10.201.255.5', rangeEnd: '10.201.255.254',
    });
    expect(suggestPxeSettings({ subnet: '10.77.50.0/24', address: '10.77.50.254' }, [])).toMatchObject({ rangeStart: '10.77.50.127', rangeEnd: '10.77.50.253' });
    expect(suggestPxeSettings(undefined, host)).toEqual({ enabled: true, mode: 'full' });
  });
});

describe('reservedIpProblem', () => {
  it('refuses an address outside the PXE network or the Striker’s own', () => {
    const pxe = { subnet: '10.201.0.0/16', address: '10.201.4.1' };
    expect(reservedIpProblem('10.201.10.1', pxe)).toBeUndefined();
    expect(reservedIpProblem('192.168.1.9', pxe)).toBe('192.168.1.9 is outside the PXE network 10.201.0.0/16: a machine booting there could never get it');
    expect(reservedIpProblem('10.201.255.255', pxe)).toMatch(/outside the PXE network/);
    expect(reservedIpProblem('10.201.4.1', pxe)).toBe("10.201.4.1 is this Striker's own address on the PXE network");
  });
});

describe('parseIpAddr', () => {
  it('reads name, MAC, state, carrier and IPv4 addresses from ip -j addr show', () => {
    const json = JSON.stringify([
      { ifname: 'lo', flags: ['LOOPBACK', 'UP', 'LOWER_UP'], operstate: 'UNKNOWN', link_type: 'loopback', address: '00:00:00:00:00:00', addr_info: [{ family: 'inet', local: '127.0.0.1', prefixlen: 8 }, { family: 'inet6', local: '::1', prefixlen: 128 }] },
      { ifname: 'bcn1', flags: ['BROADCAST', 'UP'], operstate: 'DOWN', link_type: 'ether', address: '52:54:00:aa:bb:cc', addr_info: [{ family: 'inet', local: '10.201.4.1', prefixlen: 16 }] },
      { flags: [] },
    ]);
    expect(parseIpAddr(json)).toEqual([
      { name: 'lo', mac: null, state: 'UNKNOWN', carrier: true, loopback: true, speedMbps: null, ipv4: ['127.0.0.1/8'] },
      { name: 'bcn1', mac: '52:54:00:aa:bb:cc', state: 'DOWN', carrier: false, loopback: false, speedMbps: null, ipv4: ['10.201.4.1/16'] },
    ]);
  });
});
