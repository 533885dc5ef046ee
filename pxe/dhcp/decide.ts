/**
 * The lease engine as pure decisions (RFC 2131 §4.3): one message in, a reply (or silence),
 * lease changes and boot timeline events out. No sockets, files or clocks: the caller passes
 * `now`, the lease table to read, and the machine's reservation if it has one; it applies the
 * changes, persists them (before sending an ACK) and sends the reply.
 */
import type { BootStep } from '../boot/timeline.js';
import { classifyClient, type Classification } from './classify.js';
import { formatMac } from '../../striker/core/net/mac.js';
import type { Lease, LeaseChange } from './lease.js';
import type { LeaseTable } from './lease-table.js';
import { MessageType, messageTypeName, Opt } from './option-codes.js';
import type { DhcpPacket } from './packet.js';
import { BOOTREQUEST, findOption, ipOption, messageTypeOf } from './packet.js';
import { buildReply, type ReplyFacts } from './reply.js';
import { inPool, subnetContaining, type DhcpPlan, type StaticReservation, type Subnet } from './subnets.js';

export const LIMITED_BROADCAST = 0xffffffff;

export type DropReason =
  | 'not-a-request'
  | 'bootp'
  | 'unsupported-type'
  | 'no-subnet'
  | 'other-server'
  | 'pool-exhausted'
  | 'no-requested-address'
  | 'unknown-client'
  | 'not-pxe'
  | 'no-lease';

export interface Arrival {
  packet: DhcpPacket;
  /** Epoch ms. */
  now: number;
  /** `proxy` when it came to the proxyDHCP port 4011. */
  port: 'server' | 'proxy';
  source: { address: number; port: number };
  /** The machine's reservation (database first, then config), already looked up by MAC. */
  reservation: StaticReservation | undefined;
  /**
   * This server's address on the receiving interface: the local subnet for unrelayed clients,
   * the server identifier and next-server in replies (RFC 2131 §4.3.1). Defaults to `serverAddress`.
   */
  local?: number;
}

export interface DecisionEvent {
  step: BootStep;
  ip?: number;
  details: Record<string, unknown>;
}

export interface Decision {
  reply?: { packet: DhcpPacket; address: number; port: number };
  changes: LeaseChange[];
  /** True when `changes` must be on disk before the reply is sent (an ACK). */
  durable: boolean;
  drop?: DropReason;
  mac: string;
  classification: Classification;
  events: DecisionEvent[];
}

export interface DecideContext {
  plan: DhcpPlan;
  leases: LeaseTable;
  /** Addresses reserved for some machine (database seam), beyond the config's reservations. */
  isReserved?: (ip: number) => boolean;
}

export function clientKeyOf(packet: DhcpPacket, mac: string): string {
  const id = findOption(packet, Opt.ClientIdentifier);
  return id === undefined ? `hw:${mac}` : `id:${Buffer.from(id).toString('hex')}`;
}

export function decide(ctx: DecideContext, arrival: Arrival): Decision {
  const { packet } = arrival;
  const mac = formatMac(packet.chaddr, Math.min(packet.hlen, 16));
  const classification = classifyClient(packet);
  const d: Decision = { changes: [], durable: false, mac, classification, events: [] };
  const type = messageTypeOf(packet);
  if (packet.op !== BOOTREQUEST) return drop(d, 'not-a-request');
  if (type === undefined) return drop(d, 'bootp');
  const base = { xid: packet.xid, firmware: classification.firmware ?? null };
  const step = stepFor(type);
  if (step !== undefined) d.events.push({ step, details: { ...base, type: messageTypeName(type) } });
  if (ctx.plan.mode === 'proxy' || arrival.port === 'proxy') return decideProxy(ctx, arrival, d, type);
  const subnet = selectSubnet(ctx.plan, packet, arrival.local ?? ctx.plan.server);
  if (subnet === undefined) return drop(d, 'no-subnet');
  const engine = new LeaseEngine(ctx, arrival, d, subnet, clientKeyOf(packet, mac));
  switch (type) {
    case MessageType.DHCPDISCOVER:
      return engine.discover();
    case MessageType.DHCPREQUEST:
      return engine.request();
    case MessageType.DHCPDECLINE:
      return engine.decline();
    case MessageType.DHCPRELEASE:
      return engine.release();
    case MessageType.DHCPINFORM:
      return engine.inform();
    default:
      return drop(d, 'unsupported-type');
  }
}

function stepFor(type: number): BootStep | undefined {
  switch (type) {
    case MessageType.DHCPDISCOVER:
      return 'dhcp.discover';
    case MessageType.DHCPREQUEST:
      return 'dhcp.request';
    case MessageType.DHCPDECLINE:
      return 'dhcp.decline';
    case MessageType.DHCPRELEASE:
      return 'dhcp.release';
    case MessageType.DHCPINFORM:
      return 'dhcp.inform';
    default:
      return undefined;
  }
}

function drop(d: Decision, reason: DropReason): Decision {
  d.drop = reason;
  return d;
}

/**
 * RFC 2131 §4.3.1: a relayed message belongs to the subnet of giaddr; a client with an address
 * (renewing, INFORM) to the subnet of ciaddr; otherwise the subnet of the receiving interface.
 */
function selectSubnet(plan: DhcpPlan, packet: DhcpPacket, local: number): Subnet | undefined {
  if (packet.giaddr !== 0) return subnetContaining(plan, packet.giaddr);
  if (packet.ciaddr !== 0) return subnetContaining(plan, packet.ciaddr);
  return subnetContaining(plan, local);
}

class LeaseEngine {
  constructor(
    private readonly ctx: DecideContext,
    private readonly arrival: Arrival,
    private readonly d: Decision,
    private readonly subnet: Subnet,
    private readonly clientKey: string,
  ) {}

  private get now(): number {
    return this.arrival.now;
  }

  /** The reservation for this client when it is on this subnet. */
  private reservedIp(): number | undefined {
    const r = this.arrival.reservation;
    return r !== undefined && subnetContaining(this.ctx.plan, r.ip) === this.subnet ? r.ip : undefined;
  }

  private reservedForOther(ip: number): boolean {
    if (ip === this.reservedIp()) return false;
    return this.ctx.plan.reservedIps.has(ip) || (this.ctx.isReserved?.(ip) ?? false);
  }

  /** May this client have `ip` now: on this subnet, in a pool or reserved to it, nobody else holds it. */
  private allowed(ip: number): boolean {
    if (ip === this.reservedIp()) return this.ctx.leases.isFreeFor(ip, this.clientKey, this.now);
    if (this.reservedIp() !== undefined) return false;
    return inPool(this.subnet, ip) && !this.reservedForOther(ip) && this.ctx.leases.isFreeFor(ip, this.clientKey, this.now);
  }

  /** RFC 2131 §4.3.1 address selection: reservation, current binding, requested address, then the pool. */
  private chooseAddress(): number | undefined {
    const reserved = this.reservedIp();
    if (reserved !== undefined) return this.ctx.leases.isFreeFor(reserved, this.clientKey, this.now) ? reserved : undefined;
    const current = this.ctx.leases.forClient(this.clientKey);
    if (current !== undefined && current.state !== 'declined' && this.allowed(current.ip)) return current.ip;
    const requested = ipOption(this.arrival.packet, Opt.RequestedIpAddress);
    if (requested !== undefined && this.allowed(requested)) return requested;
    return this.ctx.leases.allocate(this.subnet.pools, this.clientKey, this.now, (ip) => this.reservedForOther(ip));
  }

  discover(): Decision {
    const ip = this.chooseAddress();
    if (ip === undefined) return drop(this.d, 'pool-exhausted');
    const current = this.ctx.leases.byAddress(ip);
    const alreadyBound = current !== undefined && current.clientKey === this.clientKey && current.state === 'bound' && current.expiresAt > this.now;
    if (!alreadyBound) this.d.changes.push({ kind: 'offer', lease: this.lease(ip, 'offered', this.now + this.ctx.plan.offerHoldMs) });
    return this.answer(MessageType.DHCPOFFER, ip, 0);
  }

  request(): Decision {
    const packet = this.arrival.packet;
    const serverId = ipOption(packet, Opt.ServerIdentifier);
    const requested = ipOption(packet, Opt.RequestedIpAddress);
    if (serverId !== undefined) {
      // SELECTING (§4.3.2): the client chose a server; if not us, forget our offer.
      if (!this.ctx.plan.ownAddresses.has(serverId)) return drop(this.d, 'other-server');
      if (requested === undefined) return drop(this.d, 'no-requested-address');
      return this.allowed(requested) ? this.ack(requested, 0) : this.nak('requested address is not available');
    }
    if (requested !== undefined && packet.ciaddr === 0) {
      // INIT-REBOOT: authoritative for this subnet, so NAK an address that cannot be right here.
      if (subnetContaining(this.ctx.plan, requested) !== this.subnet) return this.nak('requested address is on another network');
      if (this.allowed(requested)) return this.ack(requested, 0);
      return this.nak('requested address belongs to another client');
    }
    if (packet.ciaddr === 0) return drop(this.d, 'no-requested-address');
    // RENEWING (unicast) or REBINDING (broadcast): extend the binding on ciaddr.
    if (this.allowed(packet.ciaddr)) return this.ack(packet.ciaddr, packet.ciaddr);
    const lease = this.ctx.leases.byAddress(packet.ciaddr);
    if (lease === undefined && !inPool(this.subnet, packet.ciaddr)) return this.nak('address is not in a pool of this server');
    return this.nak('address belongs to another client');
  }

  decline(): Decision {
    const packet = this.arrival.packet;
    const serverId = ipOption(packet, Opt.ServerIdentifier);
    if (serverId !== undefined && !this.ctx.plan.ownAddresses.has(serverId)) return drop(this.d, 'other-server');
    const ip = ipOption(packet, Opt.RequestedIpAddress);
    if (ip === undefined) return drop(this.d, 'no-requested-address');
    const lease = this.ctx.leases.byAddress(ip);
    if (lease === undefined || lease.clientKey !== this.clientKey) return drop(this.d, 'no-lease');
    // §4.3.3: mark the address as not available; quarantine it rather than forget it forever.
    this.d.changes.push({ kind: 'decline', lease: this.lease(ip, 'declined', this.now + this.ctx.plan.quarantineMs) });
    this.d.events[0] = { step: 'dhcp.decline', ip, details: { ...this.d.events[0]?.details } };
    return this.d;
  }

  release(): Decision {
    const packet = this.arrival.packet;
    const serverId = ipOption(packet, Opt.ServerIdentifier);
    if (serverId !== undefined && !this.ctx.plan.ownAddresses.has(serverId)) return drop(this.d, 'other-server');
    const lease = this.ctx.leases.byAddress(packet.ciaddr);
    if (lease === undefined || lease.clientKey !== this.clientKey || lease.state !== 'bound') return drop(this.d, 'no-lease');
    this.d.changes.push({ kind: 'release', lease: { ...lease, state: 'released', expiresAt: this.now } });
    this.d.events[0] = { step: 'dhcp.release', ip: lease.ip, details: { ...this.d.events[0]?.details } };
    return this.d;
  }

  /** §4.3.5: configuration only, no address, unicast to ciaddr. */
  inform(): Decision {
    return this.answer(MessageType.DHCPACK, 0, this.arrival.packet.ciaddr, false);
  }

  private ack(ip: number, ciaddr: number): Decision {
    this.d.changes.push({ kind: 'bind', lease: this.lease(ip, 'bound', this.now + this.subnet.leaseTime * 1000) });
    this.d.durable = true;
    return this.answer(MessageType.DHCPACK, ip, ciaddr);
  }

  private nak(message: string): Decision {
    return this.answer(MessageType.DHCPNAK, 0, 0, false, message);
  }

  private lease(ip: number, state: Lease['state'], expiresAt: number): Lease {
    const lease: Lease = { ip, clientKey: this.clientKey, mac: this.d.mac, state, expiresAt };
    const hostname = this.arrival.reservation?.hostname;
    if (hostname !== undefined) lease.hostname = hostname;
    return lease;
  }

  private answer(type: number, yiaddr: number, ciaddr: number, withLease = true, message?: string): Decision {
    const facts: ReplyFacts = {
      type,
      yiaddr,
      ciaddr,
      subnet: this.subnet,
      leaseTime: withLease ? this.subnet.leaseTime : undefined,
      hostname: this.arrival.reservation?.hostname,
      classification: this.d.classification,
      proxy: false,
      server: this.arrival.local ?? this.ctx.plan.server,
    };
    if (message !== undefined) facts.message = message;
    const packet = buildReply(this.ctx.plan, this.arrival.packet, facts);
    this.d.reply = { packet, ...destination(this.ctx.plan, this.arrival.packet, type) };
    const step: BootStep = type === MessageType.DHCPOFFER ? 'dhcp.offer' : type === MessageType.DHCPNAK ? 'dhcp.nak' : 'dhcp.ack';
    const details: Record<string, unknown> = { xid: this.arrival.packet.xid, firmware: this.d.classification.firmware ?? null };
    if (message !== undefined) details['message'] = message;
    if (packet.file !== '') details['file'] = packet.file;
    this.d.events.push(yiaddr === 0 ? { step, details } : { step, ip: yiaddr, details });
    return this.d;
  }
}

/** RFC 2131 §4.1: to the relay's server port; to ciaddr when the client has an address; else broadcast. */
function destination(plan: DhcpPlan, request: DhcpPacket, type: number): { address: number; port: number } {
  if (request.giaddr !== 0) return { address: request.giaddr, port: plan.ports.server };
  if (type !== MessageType.DHCPNAK && request.ciaddr !== 0) return { address: request.ciaddr, port: plan.ports.client };
  return { address: LIMITED_BROADCAST, port: plan.ports.client };
}

/**
 * proxyDHCP (PXE spec 2.1 §2.2.2): answer PXE clients' DISCOVER on port 67 and their REQUEST on
 * port 4011 with boot information only; the other DHCP server gives the address.
 */
function decideProxy(ctx: DecideContext, arrival: Arrival, d: Decision, type: number): Decision {
  const c = d.classification;
  if (c.firmware === undefined || !(c.pxeVendor || c.httpClient)) return drop(d, 'not-pxe');
  const packet = arrival.packet;
  let replyType: number;
  let to: { address: number; port: number };
  if (arrival.port === 'server' && type === MessageType.DHCPDISCOVER) {
    replyType = MessageType.DHCPOFFER;
    to = packet.giaddr !== 0 ? { address: packet.giaddr, port: ctx.plan.ports.server } : { address: LIMITED_BROADCAST, port: ctx.plan.ports.client };
  } else if (arrival.port === 'proxy' && (type === MessageType.DHCPREQUEST || type === MessageType.DHCPINFORM)) {
    replyType = MessageType.DHCPACK;
    // PXE spec 2.1 §2.2.2 step 6: the boot server answers the client's own address and port.
    to = { address: arrival.source.address, port: arrival.source.port };
  } else {
    return drop(d, 'unsupported-type');
  }
  const reply = buildReply(ctx.plan, packet, {
    type: replyType,
    yiaddr: 0,
    ciaddr: replyType === MessageType.DHCPACK ? packet.ciaddr : 0,
    subnet: undefined,
    leaseTime: undefined,
    hostname: undefined,
    classification: c,
    proxy: true,
    server: arrival.local ?? ctx.plan.server,
  });
  d.reply = { packet: reply, ...to };
  d.events.push({ step: 'dhcp.proxy', details: { xid: packet.xid, firmware: c.firmware, file: reply.file, type: messageTypeName(replyType) } });
  return d;
}
