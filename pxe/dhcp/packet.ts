/**
 * The in-memory form of one DHCP message (RFC 2131 §2, figure 1). Addresses are u32 numbers
 * (see striker/core/net/ipv4.ts); options keep their wire order and raw bytes so anything Striker does
 * not understand is re-encoded unchanged.
 */
import { Opt } from './option-codes.js';

/** Where an option sat on the wire: the options field, or `file`/`sname` when overloaded (RFC 2132 §9.3). */
export type OptionRegion = 'options' | 'file' | 'sname';

export interface DhcpOption {
  code: number;
  /** Value bytes; several instances of one code are concatenated (RFC 3396 §7). */
  data: Uint8Array;
  region?: OptionRegion;
}

export interface DhcpPacket {
  /** 1 = BOOTREQUEST, 2 = BOOTREPLY. */
  op: number;
  htype: number;
  hlen: number;
  hops: number;
  xid: number;
  secs: number;
  flags: number;
  ciaddr: number;
  yiaddr: number;
  siaddr: number;
  giaddr: number;
  /** Always 16 bytes; the first `hlen` are the hardware address. */
  chaddr: Uint8Array;
  /** Server host name (64 bytes on the wire), up to its first NUL; empty when it carries options. */
  sname: string;
  /** Boot file name (128 bytes on the wire), up to its first NUL; empty when it carries options. */
  file: string;
  options: DhcpOption[];
  /** Bytes after the End option in the options field (usually zero padding up to 300 bytes). */
  trailer?: Uint8Array;
}

export const BOOTREQUEST = 1;
export const BOOTREPLY = 2;
/** RFC 2131 §2: the leftmost bit of `flags` asks for a broadcast reply. */
export const FLAG_BROADCAST = 0x8000;

export function findOption(packet: DhcpPacket, code: number): Uint8Array | undefined {
  for (const option of packet.options) if (option.code === code) return option.data;
  return undefined;
}

/** The option 53 value, or `undefined` for a plain BOOTP message. */
export function messageTypeOf(packet: DhcpPacket): number | undefined {
  return findOption(packet, Opt.MessageType)?.[0];
}

export function readU32(data: Uint8Array, at = 0): number {
  return (((data[at] ?? 0) << 24) | ((data[at + 1] ?? 0) << 16) | ((data[at + 2] ?? 0) << 8) | (data[at + 3] ?? 0)) >>> 0;
}

export function readU16(data: Uint8Array, at = 0): number {
  return ((data[at] ?? 0) << 8) | (data[at + 1] ?? 0);
}

/** An address-valued option (50, 54…) as a u32, or `undefined` when absent. */
export function ipOption(packet: DhcpPacket, code: number): number | undefined {
  const data = findOption(packet, code);
  return data === undefined || data.length !== 4 ? undefined : readU32(data);
}

export function textOption(packet: DhcpPacket, code: number): string | undefined {
  const data = findOption(packet, code);
  return data === undefined ? undefined : Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('latin1');
}
