import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { bootTargetFor, firmwareTableSchema } from '../boot/firmware-table.js';
import { classifyClient, type FirmwareClass } from './classify.js';
import { decodePacket } from './codec.js';
import { encodeSubOptions, textBytes } from './option-values.js';
import type { DhcpOption, DhcpPacket } from './packet.js';

const fixtures = join(dirname(fileURLToPath(import.meta.url)), '../../test/fixtures/dhcp');

function packet(options: DhcpOption[]): DhcpPacket {
  return {
    op: 1, htype: 1, hlen: 6, hops: 0, xid: 1, secs: 0, flags: 0, ciaddr: 0, yiaddr: 0, siaddr: 0, giaddr: 0,
    chaddr: new Uint8Array(16), sname: '', file: '', options: [{ code: 53, data: Uint8Array.of(1) }, ...options],
  };
}
const arch = (a: number): DhcpOption => ({ code: 93, data: Uint8Array.of(a >> 8, a & 255) });
const vendor = (v: string): DhcpOption => ({ code: 60, data: textBytes(v) });

describe('classifyClient', () => {
  const table: [string, DhcpOption[], FirmwareClass | undefined][] = [
    ['OS client (no 60/93)', [], undefined],
    ['OS client with its own vendor class', [vendor('udhcp 1.35.0')], undefined],
    ['BIOS PXE', [vendor('PXEClient:Arch:00000:UNDI:002001'), arch(0)], 'bios'],
    ['BIOS PXE, arch only in option 60', [vendor('PXEClient:Arch:00000:UNDI:002001')], 'bios'],
    ['UEFI x64 PXE (arch 7)', [vendor('PXEClient:Arch:00007:UNDI:003000'), arch(7)], 'uefi-x64'],
    ['UEFI arch 9 treated as x86-64', [vendor('PXEClient:Arch:00009:UNDI:003000'), arch(9)], 'uefi-x64'],
    ['UEFI ARM64 PXE (arch 11)', [vendor('PXEClient:Arch:00011:UNDI:003000'), arch(0x0b)], 'uefi-arm64'],
    ['UEFI x64 HTTP boot', [vendor('HTTPClient:Arch:00016:UNDI:003000'), arch(0x10)], 'uefi-x64-http'],
    ['UEFI ARM64 HTTP boot', [vendor('HTTPClient:Arch:00019:UNDI:003000'), arch(0x13)], 'uefi-arm64-http'],
    ['arch 0x10 without HTTPClient is still HTTP boot', [arch(0x10)], 'uefi-x64-http'],
    ['iPXE by user class (BIOS)', [vendor('PXEClient:Arch:00000:UNDI:002001'), arch(0), { code: 77, data: textBytes('iPXE') }], 'ipxe-bios'],
    ['iPXE by RFC 3004 user class', [arch(7), { code: 77, data: Uint8Array.of(4, ...textBytes('iPXE')) }], 'ipxe-uefi-x64'],
    ['iPXE by option 175 only', [arch(0x0b), { code: 175, data: encodeSubOptions([{ code: 19, data: Uint8Array.of(1) }]) }], 'ipxe-uefi-arm64'],
    ['unsupported arch (IA32 EFI)', [vendor('PXEClient:Arch:00006:UNDI:003000'), arch(6)], undefined],
  ];
  for (const [name, options, expected] of table) {
    it(name, () => expect(classifyClient(packet(options)).firmware).toBe(expected));
  }

  it('classifies the captured firmware', () => {
    const of = (file: string) => classifyClient(decodePacket(new Uint8Array(readFileSync(join(fixtures, file))))).firmware;
    expect(of('ipxe-bios-01-dhcpdiscover.bin')).toBe('ipxe-bios');
    expect(of('ipxe-uefi-01-dhcpdiscover.bin')).toBe('ipxe-uefi-x64');
    expect(of('ovmf-pxe-01-dhcpdiscover.bin')).toBe('uefi-x64');
    expect(of('dhclient-01-dhcpdiscover.bin')).toBeUndefined();
    expect(of('udhcpc-01-dhcpdiscover.bin')).toBeUndefined();
  });
});

describe('boot table', () => {
  const table = firmwareTableSchema.parse(undefined);
  it('gives loaders by TFTP and URLs by HTTP, with placeholders filled', () => {
    expect(bootTargetFor(table, 'bios', '10.0.0.1', '52:54:00:00:00:01')).toEqual({ kind: 'tftp', file: 'undionly.kpxe' });
    expect(bootTargetFor(table, 'uefi-x64-http', '10.0.0.1', '52:54:00:00:00:01')).toEqual({ kind: 'http', file: 'http://10.0.0.1/boot/ipxe.efi' });
    expect(bootTargetFor(table, 'ipxe-bios', '10.0.0.1', '52:54:00:00:00:01')).toEqual({ kind: 'http', file: 'http://10.0.0.1/boot/ipxe/52:54:00:00:00:01' });
  });
  it('never sends an iPXE client an iPXE binary by default', () => {
    for (const c of ['ipxe-bios', 'ipxe-uefi-x64', 'ipxe-uefi-arm64'] as const) expect(table[c]).not.toMatch(/\.(kpxe|efi|pxe)$/);
  });
  it('is configurable', () => {
    const custom = firmwareTableSchema.parse({ bios: 'pxelinux.0', 'uefi-x64': 'shimx64.efi' });
    expect(bootTargetFor(custom, 'bios', '10.0.0.1', 'm').file).toBe('pxelinux.0');
    expect(bootTargetFor(custom, 'uefi-arm64', '10.0.0.1', 'm').file).toBe('ipxe-arm64.efi');
  });
});
