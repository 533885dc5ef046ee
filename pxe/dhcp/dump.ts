/**
 * A stable, human-readable text dump of a decoded message: one line per header field and per
 * option, values shown in their typed form. Golden fixture tests compare it; operators read it
 * in debug logs.
 */
import { formatIpv4 } from '../../striker/core/net/ipv4.js';
import { formatMac } from '../../striker/core/net/mac.js';
import { messageTypeName, optionSpecs } from './option-codes.js';
import { decodeClasslessRoutes, decodeDomainSearch, decodeSubOptions, decodeUserClasses, formatClasslessRoute } from './option-values.js';
import type { DhcpPacket } from './packet.js';
import { readU16, readU32 } from './packet.js';

export function dumpPacket(packet: DhcpPacket): string {
  const lines = [
    `op ${packet.op === 1 ? 'BOOTREQUEST' : 'BOOTREPLY'}`,
    `htype ${packet.htype} hlen ${packet.hlen} hops ${packet.hops}`,
    `xid 0x${packet.xid.toString(16).padStart(8, '0')} secs ${packet.secs} flags 0x${packet.flags.toString(16).padStart(4, '0')}`,
    `ciaddr ${formatIpv4(packet.ciaddr)} yiaddr ${formatIpv4(packet.yiaddr)}`,
    `siaddr ${formatIpv4(packet.siaddr)} giaddr ${formatIpv4(packet.giaddr)}`,
    `chaddr ${formatMac(packet.chaddr, Math.min(packet.hlen, 16))}`,
    `sname ${JSON.stringify(packet.sname)}`,
    `file ${JSON.stringify(packet.file)}`,
  ];
  for (const option of packet.options) {
    const spec = optionSpecs.get(option.code);
    const where = option.region !== undefined && option.region !== 'options' ? ` [in ${option.region}]` : '';
    lines.push(`option ${option.code} ${spec?.name ?? 'Unknown'}${where}: ${describeValue(option.code, option.data)}`);
  }
  if (packet.trailer !== undefined) lines.push(`trailer ${packet.trailer.length} bytes${packet.trailer.some((b) => b !== 0) ? ' (not all zero)' : ''}`);
  return lines.join('\n') + '\n';
}

export function hex(data: Uint8Array): string {
  return Buffer.from(data).toString('hex');
}

/** The typed form of one option value; falls back to hex when the bytes do not fit the shape. */
export function describeValue(code: number, data: Uint8Array): string {
  const spec = optionSpecs.get(code);
  try {
    switch (spec?.shape) {
      case 'ip':
        return formatIpv4(readU32(data));
      case 'ips': {
        const out: string[] = [];
        for (let i = 0; i + 4 <= data.length; i += 4) out.push(formatIpv4(readU32(data, i)));
        return out.join(', ');
      }
      case 'u8':
      case 'overload':
        return String(data[0]);
      case 'u16':
        return String(readU16(data));
      case 'u32':
        return String(readU32(data));
      case 'text':
        return JSON.stringify(Buffer.from(data).toString('latin1'));
      case 'message-type':
        return messageTypeName(data[0] ?? 0);
      case 'codes':
        return Array.from(data).join(' ');
      case 'client-id':
        return `type ${data[0]} ${data[0] === 1 ? formatMac(data.subarray(1)) : hex(data.subarray(1))}`;
      case 'user-class':
        return decodeUserClasses(data).map((c) => JSON.stringify(c)).join(', ');
      case 'fqdn':
        return `flags 0x${(data[0] ?? 0).toString(16)} rcode ${data[1]} ${data[2]} name ${hex(data.subarray(3))}`;
      case 'sub-options':
        return subOptionList(data, code);
      case 'arch-list': {
        const out: string[] = [];
        for (let i = 0; i + 2 <= data.length; i += 2) out.push(`0x${readU16(data, i).toString(16).padStart(4, '0')}`);
        return out.join(', ');
      }
      case 'ndi':
        return `type ${data[0]} version ${data[1]}.${data[2]}`;
      case 'uuid':
        return `type ${data[0]} ${hex(data.subarray(1))}`;
      case 'domain-search':
        return decodeDomainSearch(data, 0).join(', ');
      case 'classless-routes':
        return decodeClasslessRoutes(data, 0).map(formatClasslessRoute).join(', ');
      case 'bytes':
        if (code === 43 || code === 175) return subOptionList(data, code);
        return `hex ${hex(data)}`;
      case undefined:
        return `hex ${hex(data)}`;
    }
  } catch {
    return `hex ${hex(data)} (does not parse)`;
  }
}

function subOptionList(data: Uint8Array, code: number): string {
  const subs = decodeSubOptions(data, `option ${code}`, 0);
  return subs.length === 0 ? '(empty)' : subs.map((s) => `[${s.code}] ${hex(s.data)}`).join(' ');
}
