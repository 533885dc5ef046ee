/**
 * Firmware classification: what kind of network boot client sent this message, from option 60
 * (vendor class), 77 (user class), 93 (client system architecture, RFC 4578 §2.1 and the IANA
 * "Processor Architecture Types" registry) and 175 (iPXE). One pure function; the result picks
 * a row of the boot table (pxe/boot/firmware-table.ts).
 */
import { Opt } from './option-codes.js';
import { decodeUserClasses } from './option-values.js';
import type { DhcpPacket } from './packet.js';
import { findOption, readU16, textOption } from './packet.js';

export type FirmwareClass =
  | 'bios'
  | 'uefi-x64'
  | 'uefi-arm64'
  | 'uefi-x64-http'
  | 'uefi-arm64-http'
  | 'ipxe-bios'
  | 'ipxe-uefi-x64'
  | 'ipxe-uefi-arm64';

export const firmwareClasses: readonly FirmwareClass[] = [
  'bios',
  'uefi-x64',
  'uefi-arm64',
  'uefi-x64-http',
  'uefi-arm64-http',
  'ipxe-bios',
  'ipxe-uefi-x64',
  'ipxe-uefi-arm64',
];

export interface Classification {
  /** `undefined` when the client is not a network boot client (an OS DHCP client) or its architecture is unsupported. */
  firmware: FirmwareClass | undefined;
  /** Option 93's first value, when sent. */
  arch: number | undefined;
  vendorClass: string | undefined;
  /** True when the client said PXEClient or HTTPClient in option 60 (it will look for option 43/60 in replies). */
  pxeVendor: boolean;
  httpClient: boolean;
  ipxe: boolean;
}

/** IANA processor architecture types used by RFC 4578 §2.1 option 93. */
export const Arch = {
  X86Bios: 0x00,
  EfiIa32: 0x06,
  EfiX64Bc: 0x07,
  /** Registered as "EFI x86-64"; early EDK2 builds sent 9 for x64. Treated as x64. */
  EfiX8664: 0x09,
  EfiArm64: 0x0b,
  EfiX64Http: 0x10,
  EfiArm64Http: 0x13,
} as const;

type Family = 'bios' | 'x64' | 'arm64';

function familyOf(arch: number): Family | undefined {
  switch (arch) {
    case Arch.X86Bios:
      return 'bios';
    case Arch.EfiX64Bc:
    case Arch.EfiX8664:
    case Arch.EfiX64Http:
      return 'x64';
    case Arch.EfiArm64:
    case Arch.EfiArm64Http:
      return 'arm64';
    default:
      return undefined;
  }
}

export function classifyClient(packet: DhcpPacket): Classification {
  const vendorClass = textOption(packet, Opt.VendorClassIdentifier);
  const archData = findOption(packet, Opt.ClientSystemArchitecture);
  const arch = archData !== undefined && archData.length >= 2 ? readU16(archData) : undefined;
  const pxeVendor = vendorClass?.startsWith('PXEClient') ?? false;
  const httpClient = vendorClass?.startsWith('HTTPClient') ?? false;
  const userClass = findOption(packet, Opt.UserClass);
  const ipxe = findOption(packet, Opt.IpxeEncapsulated) !== undefined || (userClass !== undefined && decodeUserClasses(userClass).includes('iPXE'));
  const base = { arch, vendorClass, pxeVendor, httpClient, ipxe };
  // A client is a network boot client when it says so in option 60, sends option 93, or is iPXE.
  if (!pxeVendor && !httpClient && arch === undefined && !ipxe) return { ...base, firmware: undefined };
  // PXE spec 2.1: the arch is also the `Arch:xxxxx` field of the vendor class; option 93 wins.
  const effectiveArch = arch ?? archFromVendorClass(vendorClass) ?? Arch.X86Bios;
  const family = familyOf(effectiveArch);
  if (family === undefined) return { ...base, firmware: undefined };
  if (ipxe) return { ...base, firmware: family === 'bios' ? 'ipxe-bios' : family === 'x64' ? 'ipxe-uefi-x64' : 'ipxe-uefi-arm64' };
  const http = httpClient || effectiveArch === Arch.EfiX64Http || effectiveArch === Arch.EfiArm64Http;
  if (family === 'bios') return { ...base, firmware: http ? undefined : 'bios' };
  if (family === 'x64') return { ...base, firmware: http ? 'uefi-x64-http' : 'uefi-x64' };
  return { ...base, firmware: http ? 'uefi-arm64-http' : 'uefi-arm64' };
}

function archFromVendorClass(vendorClass: string | undefined): number | undefined {
  const match = vendorClass === undefined ? null : /:Arch:(\d{5})/.exec(vendorClass);
  return match === null ? undefined : Number(match[1]);
}
