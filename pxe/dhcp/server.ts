/**
 * The DHCP server adapter: sockets in, `decide` in the middle, lease store and sockets out.
 * Every packet is counted; nothing a client sends can stop the loop (undecodable input is
 * counted by field and logged at debug). An ACK leaves only after its lease is durable.
 */
import { createSocket, type Socket } from 'node:dgram';
import { networkInterfaces } from 'node:os';
import type { Logger } from 'pino';
import { DecodeError } from '../../striker/core/errors/index.js';
import type { BootTimeline } from '../boot/timeline.js';
import { decodePacket, encodePacket } from './codec.js';
import type { DhcpConfig } from './config.js';
import { decide, type DecideContext, type Decision } from './decide.js';
import { bindSocketToDevice } from './interface-binding.js';
import { formatIpv4, parseIpv4 } from '../../striker/core/net/ipv4.js';
import { formatMac } from '../../striker/core/net/mac.js';
import { viewLease, type LeaseChange, type LeaseView } from './lease.js';
import type { LeaseStore } from './lease-store.js';
import { LeaseTable } from './lease-table.js';
import { noMachines, type MachineLookup, type Reservation } from './machine-lookup.js';
import { messageTypeName } from './option-codes.js';
import { messageTypeOf, type DhcpPacket } from './packet.js';
import { compileDhcpConfig, type StaticReservation } from './subnets.js';

export interface DhcpServerOptions {
  /** A config already checked by parseDhcpConfig. */
  config: DhcpConfig;
  logger: Logger;
  timeline: BootTimeline;
  leaseStore: LeaseStore;
  lookup?: MachineLookup;
  /** Called once per durable lease change (bind, release, decline), after it is on disk. */
  onLeaseChange?: (change: LeaseChange) => void;
  /** Clock, for tests. */
  now?: () => number;
}

export interface DhcpCounters {
  received: number;
  /** Replies handed to the kernel, by message type. */
  answered: Record<string, number>;
  dropped: Record<string, number>;
  leases: number;
}

export interface DhcpServer {
  counters(): DhcpCounters;
  leases(): LeaseView[];
  /** The local ports actually bound (useful with port 0 in tests). */
  ports(): { server: number; proxy: number | undefined };
  close(): Promise<void>;
}

interface Listener {
  socket: Socket;
  iface: string;
  kind: 'server' | 'proxy';
  /** The interface's own IPv4 address (u32), or serverAddress when it has none. */
  local: number;
}

/** The first IPv4 address of `iface`, read once at start. */
function interfaceAddress(iface: string): number | undefined {
  const entry = networkInterfaces()[iface]?.find((a) => a.family === 'IPv4');
  return entry === undefined ? undefined : parseIpv4(entry.address);
}

export async function startDhcpServer(options: DhcpServerOptions): Promise<DhcpServer> {
  const { config, logger, timeline, leaseStore } = options;
  const lookup = options.lookup ?? noMachines;
  const now = options.now ?? Date.now;
  const plan = compileDhcpConfig(config);
  const leases = new LeaseTable();
  for (const lease of await leaseStore.load()) leases.apply({ kind: 'bind', lease });
  logger.info({ leases: leases.size, mode: config.mode, interfaces: config.interfaces }, 'dhcp lease table loaded');

  const isReservedAddress = lookup.isReservedAddress?.bind(lookup);
  const ctx: DecideContext = isReservedAddress === undefined ? { plan, leases } : { plan, leases, isReserved: (ip) => isReservedAddress(formatIpv4(ip)) };
  const counters = { received: 0, answered: {} as Record<string, number>, dropped: {} as Record<string, number> };
  const count = (table: Record<string, number>, key: string): void => {
    table[key] = (table[key] ?? 0) + 1;
  };

  const listeners: Listener[] = [];
  const interfaces = config.interfaces.length > 0 ? config.interfaces : ['lo'];
  const kinds: ('server' | 'proxy')[] = config.mode === 'proxy' ? ['server', 'proxy'] : ['server'];
  try {
    for (const iface of interfaces) {
      for (const kind of kinds) {
        // A large receive buffer absorbs bursts (thousands of PXE clients powered on at once).
        const socket = createSocket({ type: 'udp4', reuseAddr: true, recvBufferSize: 4 * 1024 * 1024, sendBufferSize: 4 * 1024 * 1024, lookup: literalAddress });
        const local = interfaceAddress(iface) ?? plan.server;
        plan.ownAddresses.add(local);
        const listener: Listener = { socket, iface, kind, local };
        listeners.push(listener);
        await new Promise<void>((resolve, reject) => {
          socket.once('error', reject);
          socket.bind(kind === 'server' ? config.ports.server : config.ports.proxy, '0.0.0.0', () => {
            socket.off('error', reject);
            resolve();
          });
        });
        if (config.interfaceBinding === 'device') bindSocketToDevice(socket, iface);
        socket.setBroadcast(true);
        socket.on('error', (error) => {
          count(counters.dropped, 'send-failed');
          logger.warn({ err: error, iface }, 'dhcp socket error');
        });
        socket.on('message', (bytes, rinfo) => {
          try {
            handle(listener, bytes, rinfo.address, rinfo.port);
          } catch (error) {
            count(counters.dropped, 'internal');
            logger.error({ err: error, iface, peer: rinfo.address }, 'dhcp packet handling failed');
          }
        });
        if (config.interfaceBinding === 'none') break;
      }
      if (config.interfaceBinding === 'none') break;
    }
  } catch (error) {
    for (const l of listeners) l.socket.close();
    throw error;
  }

  let closed = false;
  const sweep = setInterval(() => leases.sweep(now(), 24 * 3600 * 1000), 60_000);
  sweep.unref();

  /** Synchronous unless the machine lookup answers with a promise: no per-packet promise on the hot path. */
  function handle(listener: Listener, bytes: Buffer, peer: string, peerPort: number): void {
    counters.received++;
    let packet: DhcpPacket;
    try {
      packet = decodePacket(bytes);
    } catch (error) {
      if (!(error instanceof DecodeError)) throw error;
      // Options of unknown codes share one counter so hostile input cannot grow the counter table.
      count(counters.dropped, `decode:${error.field.replace(/^option \d+$/, 'option (unknown code)')}`);
      logger.debug({ iface: listener.iface, peer, field: error.field, offset: error.offset, msg: error.message }, 'dhcp packet undecodable');
      return;
    }
    const mac = formatMac(packet.chaddr, Math.min(packet.hlen, 16));
    if (lookup.ignores?.(mac) === true) {
      count(counters.dropped, 'ignored-machine');
      logger.debug({ iface: listener.iface, mac, xid: packet.xid }, 'dhcp message from a machine configured to be ignored');
      return;
    }
    const found = lookup.reservationFor(mac);
    if (found instanceof Promise) {
      found.then(
        (r) => answer(listener, packet, mac, r, peer, peerPort),
        (error: unknown) => {
          count(counters.dropped, 'lookup-failed');
          logger.warn({ err: error, mac, iface: listener.iface }, 'machine lookup failed; message not answered');
        },
      );
    } else {
      answer(listener, packet, mac, found, peer, peerPort);
    }
  }

  function answer(listener: Listener, packet: DhcpPacket, mac: string, found: Reservation | undefined, peer: string, peerPort: number): void {
    const ip = found === undefined ? undefined : parseIpv4(found.ip);
    let reservation: StaticReservation | undefined;
    if (found !== undefined && ip !== undefined) reservation = found.hostname === undefined ? { ip } : { ip, hostname: found.hostname };
    else reservation = plan.reservations.get(mac);
    const source = { address: listener.kind === 'proxy' ? (parseIpv4(peer) ?? 0) : 0, port: peerPort };
    const decision = decide(ctx, { packet, now: now(), port: listener.kind, source, reservation, local: listener.local });
    for (const change of decision.changes) leases.apply(change);
    record(decision, listener.iface);
    if (decision.drop !== undefined) {
      count(counters.dropped, decision.drop);
      logger.debug({ iface: listener.iface, mac, xid: packet.xid, reason: decision.drop, type: messageTypeName(messageTypeOf(packet) ?? 0) }, 'dhcp message not answered');
      return;
    }
    const durableChanges = decision.changes.filter((c) => c.kind !== 'offer');
    if (durableChanges.length === 0) {
      if (decision.reply !== undefined) send(listener, decision);
      return;
    }
    const committed = leaseStore.commit(durableChanges);
    if (!decision.durable) {
      committed.then(
        () => notify(durableChanges),
        () => count(counters.dropped, 'persist-failed'),
      );
      if (decision.reply !== undefined) send(listener, decision);
      return;
    }
    // An ACK leaves only once its lease is on disk.
    committed.then(
      () => {
        notify(durableChanges);
        if (decision.reply !== undefined) send(listener, decision);
      },
      () => count(counters.dropped, 'persist-failed'),
    );
  }

  function notify(changes: LeaseChange[]): void {
    if (options.onLeaseChange === undefined) return;
    for (const change of changes) {
      try {
        options.onLeaseChange(change);
      } catch (error) {
        logger.warn({ err: error }, 'onLeaseChange listener failed');
      }
    }
  }

  function send(listener: Listener, decision: Decision): void {
    const reply = decision.reply!;
    const bytes = encodePacket(reply.packet);
    const type = messageTypeName(messageTypeOf(reply.packet) ?? 0);
    if (closed) {
      // An ACK whose commit finished after close(): the lease is on disk, the client will retry.
      count(counters.dropped, 'closing');
      return;
    }
    try {
      // No completion callback: the kernel usually takes the datagram at once (uv_udp_try_send)
      // and a callback per reply costs a request object and a tick. A failed send surfaces as
      // the socket's 'error' event, counted there.
      listener.socket.send(bytes, reply.port, formatIpv4(reply.address));
      count(counters.answered, type);
    } catch (error) {
      count(counters.dropped, 'send-failed');
      logger.warn({ err: error, iface: listener.iface, mac: decision.mac }, 'dhcp reply not sent');
    }
  }

  function record(decision: Decision, iface: string): void {
    const at = new Date();
    for (const event of decision.events) {
      const details = event.details;
      details['iface'] = iface;
      timeline.record(event.ip === undefined ? { step: event.step, mac: decision.mac, at, details } : { step: event.step, mac: decision.mac, ip: formatIpv4(event.ip), at, details });
    }
    if (decision.reply !== undefined && decision.classification.firmware !== undefined) {
      logger.info({ mac: decision.mac, iface, firmware: decision.classification.firmware, file: decision.reply.packet.file }, 'dhcp boot client answered');
    }
  }

  return {
    counters: () => ({ received: counters.received, answered: { ...counters.answered }, dropped: { ...counters.dropped }, leases: leases.size }),
    leases: () => [...leases.all()].filter((l) => l.state === 'bound' && l.expiresAt > now()).map(viewLease),
    ports: () => {
      const server = listeners.find((l) => l.kind === 'server')?.socket.address().port ?? config.ports.server;
      const proxy = listeners.find((l) => l.kind === 'proxy')?.socket.address().port;
      return { server, proxy };
    },
    close: async () => {
      closed = true;
      clearInterval(sweep);
      await Promise.all(listeners.map((l) => new Promise<void>((resolve) => l.socket.close(() => resolve()))));
      await leaseStore.close();
    },
  };
}

/**
 * dgram resolves every destination through dns.lookup, which costs a tick per reply even for
 * an IP literal. Striker only ever sends to dotted-quad literals, so answer at once.
 */
function literalAddress(address: string, _options: unknown, callback: (error: Error | null, address: string, family: number) => void): void {
  callback(null, address, 4);
}
