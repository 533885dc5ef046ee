/**
 * Boot configs as virtual TFTP files (pxe/tftp/virtual-files.ts), rendered per request:
 *   pxelinux.cfg/01-<mac with dashes>   pxelinux (ARP type 1 prefix, syslinux wiki "PXELINUX")
 *   grub.cfg-01-<mac with dashes>       GRUB net boot, also below any prefix directory (`grub/…`)
 *   ipxe/<mac>.ipxe                     an iPXE script by TFTP, for firmware tables that hand one out
 *   grub.cfg, also below any prefix     GRUB's generic config (`$prefix/grub.cfg`, what Debian's
 *                                       signed grubnetx64.efi asks for): loads the per-MAC config
 *                                       over HTTP or TFTP (grub-config.ts `renderGrubDispatch`)
 * Any other name is "missing", so the directory source behind it answers. The generator never
 * throws: a lookup failure is logged and the file is reported missing.
 */
import type { Logger } from 'pino';
import type { BootTimeline } from '../boot/timeline.js';
import type { Peer } from '../tftp/file-source.js';
import type { VirtualFileGenerator } from '../tftp/virtual-files.js';
import type { BootFormat, BootResolver } from './boot-resolver.js';
import { renderGrubDispatch } from './grub-config.js';
import { normalizeMac } from '../../striker/core/net/mac.js';

/** The 17 characters where a file name holds a MAC; striker/core/net/mac.ts decides whether they are one. */
const MAC = '([^/]{17})';
const PATTERNS: [RegExp, BootFormat][] = [
  [new RegExp(`^pxelinux\\.cfg/01-${MAC}$`), 'pxelinux'],
  [new RegExp(`^(?:.*/)?grub\\.cfg-01-${MAC}$`), 'grub'],
  [new RegExp(`^ipxe/${MAC}\\.ipxe$`), 'ipxe'],
];

/** Which boot file a TFTP path names, or undefined. Pure. */
export function bootFileOf(path: string): { format: BootFormat; mac: string } | undefined {
  for (const [pattern, format] of PATTERNS) {
    const match = pattern.exec(path);
    const mac = match?.[1] === undefined ? undefined : normalizeMac(match[1]);
    if (mac !== undefined) return { format, mac };
  }
  return undefined;
}

/** GRUB's generic config, at the TFTP root or below its prefix directory. */
const GRUB_DISPATCH = /^(?:.*\/)?grub\.cfg$/;

export interface TftpBootFileDeps {
  resolver: BootResolver;
  timeline: BootTimeline;
  logger: Logger;
  strikerUrl: string;
  /** Striker's TFTP server as GRUB reaches it, for GRUB without http (boot-urls.ts `tftpServer`). */
  tftpServer?: string;
}

export function tftpBootFiles(deps: TftpBootFileDeps): VirtualFileGenerator {
  const dispatch = new TextEncoder().encode(renderGrubDispatch(deps.strikerUrl, deps.tftpServer));
  return async (path: string, peer: Peer) => {
    if (GRUB_DISPATCH.test(path)) return dispatch;
    const file = bootFileOf(path);
    if (file === undefined) return null;
    try {
      const resolved = await deps.resolver.resolve(file.mac, file.format);
      deps.logger.info({ mac: file.mac, peer: peer.address, path, ...resolved.facts }, 'boot file rendered for tftp');
      // The TFTP server records the transfer itself; this step records the plan behind it.
      deps.timeline.record({ step: 'tftp.transfer', mac: file.mac, ip: peer.address, at: new Date(), details: { file: path, outcome: 'rendered', plan: resolved.facts } });
      return new TextEncoder().encode(resolved.text);
    } catch (error) {
      deps.logger.warn({ err: error, mac: file.mac, peer: peer.address, path }, 'boot file could not be rendered for tftp');
      return null;
    }
  };
}
