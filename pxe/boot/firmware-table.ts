/**
 * The boot table: which loader (a TFTP file name) or which HTTP URL each firmware class gets.
 * Until the boot-routes work renders per-machine plans, this configurable table decides.
 * Templates may use `{server}` (the DHCP server address), `{mac}` (lower-case, colons) and
 * `{mac-}` (dashes).
 */
import { z } from 'zod';
import type { FirmwareClass } from '../dhcp/classify.js';

export const firmwareTableSchema = z
  .strictObject({
    bios: z.string().min(1).default('undionly.kpxe'),
    'uefi-x64': z.string().min(1).default('ipxe.efi'),
    'uefi-arm64': z.string().min(1).default('ipxe-arm64.efi'),
    'uefi-x64-http': z.string().min(1).default('http://{server}/boot/ipxe.efi'),
    'uefi-arm64-http': z.string().min(1).default('http://{server}/boot/ipxe-arm64.efi'),
    'ipxe-bios': z.string().min(1).default('http://{server}/boot/ipxe/{mac}'),
    'ipxe-uefi-x64': z.string().min(1).default('http://{server}/boot/ipxe/{mac}'),
    'ipxe-uefi-arm64': z.string().min(1).default('http://{server}/boot/ipxe/{mac}'),
  })
  .default({
    bios: 'undionly.kpxe',
    'uefi-x64': 'ipxe.efi',
    'uefi-arm64': 'ipxe-arm64.efi',
    'uefi-x64-http': 'http://{server}/boot/ipxe.efi',
    'uefi-arm64-http': 'http://{server}/boot/ipxe-arm64.efi',
    'ipxe-bios': 'http://{server}/boot/ipxe/{mac}',
    'ipxe-uefi-x64': 'http://{server}/boot/ipxe/{mac}',
    'ipxe-uefi-arm64': 'http://{server}/boot/ipxe/{mac}',
  });

export type FirmwareTable = z.infer<typeof firmwareTableSchema>;

export interface BootTarget {
  /** `tftp`: `file` is a loader name on the TFTP server `server`; `http`: `file` is a URL. */
  kind: 'tftp' | 'http';
  file: string;
}

export function bootTargetFor(table: FirmwareTable, firmware: FirmwareClass, server: string, mac: string): BootTarget {
  const file = table[firmware].replaceAll('{server}', server).replaceAll('{mac}', mac).replaceAll('{mac-}', mac.replaceAll(':', '-'));
  return { kind: /^https?:\/\//.test(file) ? 'http' : 'tftp', file };
}
