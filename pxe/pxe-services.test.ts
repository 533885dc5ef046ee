import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { bootTableFor, checkPxeConfig, effectiveDhcpConfig, parsePxeConfig, pxeConfigSchema } from './pxe-config.js';
import { interfaceProblems } from './pxe-interface.js';
import { startPxeServices, type PxeServicesDeps } from './pxe-services.js';
import { MemoryTimeline } from './boot/timeline.js';
import { firmwareTableSchema } from './boot/firmware-table.js';

const facts = { present: ['lo', 'eth0', 'bcn1'], ipv4: { lo: ['127.0.0.1/8'], eth0: ['192.168.1.5/24'], bcn1: ['10.201.4.1/16', '10.201.4.2/16'] } };
const enabled = {
  enabled: true,
  interface: 'bcn1',
  address: '10.201.4.1',
  dhcp: { subnets: [{ cidr: '10.201.0.0/16', pools: [{ start: '10.201.10.1', end: '10.201.10.200' }] }] },
};

describe('PXE interface check', () => {
  it.each([
    ['bcn1', '10.201.4.1', []],
    ['bcn1', '10.201.4.2', []],
    ['bcn9', '10.201.4.1', ['pxe.interface bcn9 does not exist on this machine (interfaces: bcn1, eth0, lo)']],
    ['eth0', '10.201.4.1', ['pxe.address 10.201.4.1 is not configured on eth0 (it has: 192.168.1.5/24)']],
    ['bcn1', '10.201.4.9', ['pxe.address 10.201.4.9 is not configured on bcn1 (it has: 10.201.4.1/16, 10.201.4.2/16)']],
    ['bcn1; rm', '10.201.4.1', ["pxe.interface 'bcn1; rm' is not a valid interface name"]],
  ])('%s %s', (name, address, expected) => {
    expect(interfaceProblems(name, address, facts)).toEqual(expected);
  });

  it('reports an interface with no IPv4 address', () => {
    expect(interfaceProblems('eth1', '10.0.0.1', { present: ['eth1'], ipv4: {} })).toEqual(['pxe.address 10.0.0.1 is not configured on eth1 (it has: no IPv4 address)']);
  });
});

describe('PXE config', () => {
  it('is disabled by default and needs nothing then', () => {
    const config = pxeConfigSchema.parse({});
    expect(config).toMatchObject({ enabled: false, unknownMachines: 'discovery', discoveryRetrySeconds: 30, kernelArgs: [] });
    expect(config.loaders.ipxeDir).toBe('/usr/lib/ipxe');
    expect(config.tftp.port).toBe(69);
    expect(checkPxeConfig(config, 'http://x:8080')).toEqual([]);
  });

  it('fills DHCP interface, server address and boot URLs from one place', () => {
    const config = parsePxeConfig(enabled, 'http://10.201.4.1:8080');
    const dhcp = effectiveDhcpConfig(config, 'http://10.201.4.1:8080');
    expect(dhcp.interfaces).toEqual(['bcn1']);
    expect(dhcp.serverAddress).toBe('10.201.4.1');
    expect(dhcp.boot).toMatchObject({
      bios: 'undionly.kpxe',
      'uefi-x64': 'ipxe.efi',
      'uefi-x64-http': 'http://10.201.4.1:8080/boot/loaders/ipxe.efi',
      'uefi-arm64-http': 'http://10.201.4.1:8080/boot/loaders/ipxe-arm64.efi',
      'ipxe-bios': 'http://10.201.4.1:8080/boot/ipxe/{mac}',
    });
  });

  it("router advertisements: 'auto' by default, 'off' accepted, anything else refused by name", () => {
    expect(parsePxeConfig(enabled, 'http://10.201.4.1:8080').ipv6RouterAdvertisements).toBe('auto');
    expect(parsePxeConfig({ ...enabled, ipv6RouterAdvertisements: 'off' }, 'http://10.201.4.1:8080').ipv6RouterAdvertisements).toBe('off');
    expect(() => parsePxeConfig({ ...enabled, ipv6RouterAdvertisements: 'on' }, 'http://10.201.4.1:8080')).toThrow(/ipv6RouterAdvertisements/);
  });

  it('keeps boot entries the operator changed', () => {
    const table = firmwareTableSchema.parse({ 'ipxe-bios': 'ipxe/{mac}.ipxe' });
    expect(bootTableFor(table, 'http://h:1/')['ipxe-bios']).toBe('ipxe/{mac}.ipxe');
    expect(bootTableFor(table, 'http://h:1/')['ipxe-uefi-x64']).toBe('http://h:1/boot/ipxe/{mac}');
  });

  it('gives UEFI PXE the chosen loaders only where the operator left the defaults', () => {
    const uefi = { x64: 'shimx64.efi', arm64: 'shimaa64.efi' };
    expect(bootTableFor(firmwareTableSchema.parse({}), 'http://h:1', uefi)).toMatchObject({ 'uefi-x64': 'shimx64.efi', 'uefi-arm64': 'shimaa64.efi', bios: 'undionly.kpxe' });
    expect(bootTableFor(firmwareTableSchema.parse({ 'uefi-x64': 'snponly.efi' }), 'http://h:1', uefi)).toMatchObject({ 'uefi-x64': 'snponly.efi', 'uefi-arm64': 'shimaa64.efi' });
  });

  it('lists every problem of an enabled config', () => {
    expect(() => parsePxeConfig({ enabled: true, dhcp: { subnets: [{ cidr: '10.0.0.0/8' }] } }, 'http://x')).toThrow(
      expect.objectContaining({
        code: 'CONFIG_INVALID',
        details: expect.objectContaining({
          problems: expect.arrayContaining([
            { path: 'interface', message: 'must name the interface PXE answers on when PXE is enabled' },
            { path: 'address', message: "must be this server's IPv4 address on the PXE interface when PXE is enabled" },
          ]),
        }),
      }),
    );
    expect(() => parsePxeConfig({ ...enabled, kernelArgs: ['a b'] }, 'http://x')).toThrow(/kernelArgs/);
    expect(() => parsePxeConfig({ ...enabled, address: '10.9.9.9' }, 'http://x')).toThrow(/in no configured subnet/);
  });
});

describe('startPxeServices', () => {
  const deps = (config: unknown, over: Partial<PxeServicesDeps> = {}): PxeServicesDeps => ({
    config: parsePxeConfig(config, 'http://10.201.4.1:8080'),
    dataDir: '/nonexistent',
    logger: pino({ level: 'silent' }),
    timeline: new MemoryTimeline(),
    httpUrl: 'http://10.201.4.1:8080',
    facts: { machine: async () => undefined, kickstart: async () => undefined },
    kickstartPath: (h) => `/ks/${h}.ks`,
    ...over,
  });

  it('starts nothing when disabled', async () => {
    const pxe = await startPxeServices(deps({}));
    expect(pxe.status()).toEqual({ enabled: false });
    expect(pxe.leases()).toEqual([]);
    expect(pxe.plugins).toEqual([]);
    await pxe.close();
  });

  it('refuses to start on an interface that does not exist, naming what exists', async () => {
    await expect(startPxeServices(deps(enabled, { interfaceFacts: { present: ['lo', 'eth0'], ipv4: {} } }))).rejects.toThrow(
      'pxe.interface bcn1 does not exist on this machine (interfaces: eth0, lo)',
    );
  });

  it('refuses to start when the interface lacks the address', async () => {
    await expect(startPxeServices(deps(enabled, { interfaceFacts: { present: ['bcn1'], ipv4: { bcn1: ['10.201.9.9/16'] } } }))).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
      message: 'pxe.address 10.201.4.1 is not configured on bcn1 (it has: 10.201.9.9/16)',
    });
  });

  it('refuses on this machine for real: no such interface here', async () => {
    await expect(startPxeServices(deps({ ...enabled, interface: 'stk-pxe-none' }))).rejects.toThrow(/pxe\.interface stk-pxe-none does not exist on this machine \(interfaces: .*lo/);
  });
});
