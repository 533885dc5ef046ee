/**
 * Building replies (RFC 2131 §4.3.1 table 3; PXE spec 2.1 §2.2; UEFI 2.x §24.7 HTTP boot).
 * OFFER, ACK, NAK, INFORM answers and proxyDHCP answers all come from `buildReply`, so the
 * options a client sees in the OFFER are the ones it sees in the ACK.
 */
import { bootTargetFor } from '../boot/firmware-table.js';
import type { Classification } from './classify.js';
import { formatIpv4 } from '../../striker/core/net/ipv4.js';
import { formatMac } from '../../striker/core/net/mac.js';
import { MessageType, Opt } from './option-codes.js';
import { encodeSubOptions, textBytes, u32Bytes } from './option-values.js';
import type { DhcpOption, DhcpPacket } from './packet.js';
import { BOOTREPLY, findOption, readU16 } from './packet.js';
import type { DhcpPlan, Subnet } from './subnets.js';

export interface ReplyFacts {
  type: number;
  yiaddr: number;
  /** ACK to a renewing/rebinding/INFORM client: echo ciaddr (table 3). */
  ciaddr: number;
  subnet: Subnet | undefined;
  /** Seconds; omitted for INFORM and NAK. */
  leaseTime: number | undefined;
  hostname: string | undefined;
  classification: Classification;
  /** Address-free boot info answer (proxyDHCP). */
  proxy: boolean;
  /** This server's address on the client's link: option 54, siaddr, `{server}` in boot URLs. */
  server: number;
  message?: string;
}

const PXE_CLIENT = textBytes('PXEClient');
const HTTP_CLIENT = textBytes('HTTPClient');
/** PXE spec 2.1 §2.4 option 43 sub-option 6 PXE_DISCOVERY_CONTROL = 8: boot from the file name in this packet. */
const PXE_DISCOVERY_CONTROL_FILE = encodeSubOptions([{ code: 6, data: Uint8Array.of(8) }], true);
/** RFC 2131 §2: the default maximum message a client accepts (576 minus IP and UDP headers). */
const DEFAULT_MAX_MESSAGE = 576 - 28;

export function buildReply(plan: DhcpPlan, request: DhcpPacket, facts: ReplyFacts): DhcpPacket {
  const options: DhcpOption[] = [
    { code: Opt.MessageType, data: Uint8Array.of(facts.type) },
    { code: Opt.ServerIdentifier, data: u32Bytes(facts.server) },
  ];
  const reply: DhcpPacket = {
    op: BOOTREPLY,
    htype: request.htype,
    hlen: request.hlen,
    hops: 0,
    xid: request.xid,
    secs: 0,
    flags: request.flags,
    ciaddr: facts.ciaddr,
    yiaddr: facts.yiaddr,
    siaddr: 0,
    giaddr: request.giaddr,
    chaddr: request.chaddr,
    sname: '',
    file: '',
    options,
  };
  if (facts.type === MessageType.DHCPNAK) {
    if (facts.message !== undefined) options.push({ code: Opt.Message, data: textBytes(facts.message) });
    echoRelayAgent(request, options);
    return reply;
  }
  const subnet = facts.subnet;
  if (facts.leaseTime !== undefined && subnet !== undefined) {
    options.push(
      { code: Opt.IpAddressLeaseTime, data: u32Bytes(facts.leaseTime) },
      { code: Opt.RenewalTime, data: u32Bytes(Math.min(subnet.renewTime, facts.leaseTime)) },
      { code: Opt.RebindingTime, data: u32Bytes(Math.min(subnet.rebindTime, facts.leaseTime)) },
    );
  }
  if (subnet !== undefined && !facts.proxy) options.push(...subnet.options);
  if (facts.hostname !== undefined) options.push({ code: Opt.HostName, data: textBytes(facts.hostname) });
  addBootInfo(plan, request, facts, reply);
  echoRelayAgent(request, options);
  fitToMaximumSize(request, options);
  return reply;
}

function addBootInfo(plan: DhcpPlan, request: DhcpPacket, facts: ReplyFacts, reply: DhcpPacket): void {
  const c = facts.classification;
  if (c.firmware === undefined) return;
  const server = formatIpv4(facts.server);
  const target = bootTargetFor(plan.boot, c.firmware, server, formatMac(request.chaddr, Math.min(request.hlen, 16)));
  const requested = findOption(request, Opt.ParameterRequestList) ?? new Uint8Array();
  reply.file = target.file.length <= 127 ? target.file : '';
  // next-server even for URLs: iPXE accepts a ProxyDHCP answer only with siaddr and option 67 (dhcp_has_pxeopts).
  reply.siaddr = facts.server;
  if (target.kind === 'tftp') {
    reply.sname = server;
    if (requested.includes(Opt.TftpServerName)) reply.options.push({ code: Opt.TftpServerName, data: textBytes(server) });
  }
  if (requested.includes(Opt.BootfileName) || reply.file === '' || facts.proxy) reply.options.push({ code: Opt.BootfileName, data: textBytes(target.file) });
  if (c.httpClient || target.kind === 'http' && !c.ipxe) {
    // UEFI 2.x §24.7.3: an HTTP boot offer must carry option 60 "HTTPClient".
    reply.options.push({ code: Opt.VendorClassIdentifier, data: HTTP_CLIENT });
  } else if (c.ipxe || facts.proxy) {
    // iPXE waits ~3 s for more offers without option 60 PXEClient; OVMF's native PXE ignores
    // an offer with option 60 but no option 43, so full-mode native PXE clients get neither.
    reply.options.push({ code: Opt.VendorClassIdentifier, data: PXE_CLIENT });
    if (facts.proxy) reply.options.push({ code: Opt.VendorSpecific, data: PXE_DISCOVERY_CONTROL_FILE });
  }
  const machineId = findOption(request, Opt.ClientMachineId);
  if (facts.proxy && machineId !== undefined) reply.options.push({ code: Opt.ClientMachineId, data: machineId });
}

/** RFC 3046 §2.2: a server echoes the relay agent information option unchanged. */
function echoRelayAgent(request: DhcpPacket, options: DhcpOption[]): void {
  const relay = findOption(request, Opt.RelayAgentInformation);
  if (relay !== undefined) options.push({ code: Opt.RelayAgentInformation, data: relay });
}

const ESSENTIAL = new Set<number>([Opt.MessageType, Opt.ServerIdentifier, Opt.IpAddressLeaseTime, Opt.SubnetMask, Opt.RelayAgentInformation, Opt.VendorClassIdentifier, Opt.VendorSpecific]);

/** RFC 2131 §4.1 / RFC 2132 §9.10: stay within the client's maximum message size, dropping unrequested options first. */
function fitToMaximumSize(request: DhcpPacket, options: DhcpOption[]): void {
  const max = findOption(request, Opt.MaximumMessageSize);
  const limit = (max === undefined ? DEFAULT_MAX_MESSAGE : Math.max(DEFAULT_MAX_MESSAGE, readU16(max))) - 240 - 1;
  let size = options.reduce((n, o) => n + 2 + o.data.length, 0);
  if (size <= limit) return;
  const requested = findOption(request, Opt.ParameterRequestList) ?? new Uint8Array();
  for (let i = options.length - 1; i >= 0 && size > limit; i--) {
    const o = options[i]!;
    if (!ESSENTIAL.has(o.code) && !requested.includes(o.code)) {
      size -= 2 + o.data.length;
      options.splice(i, 1);
    }
  }
}
