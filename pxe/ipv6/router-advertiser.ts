/**
 * Router advertisements on the PXE interface (`pxe.ipv6RouterAdvertisements`): the adapter around
 * advertiser-policy.ts. It opens the raw ICMPv6 socket, decodes what arrives (RFC 4861 §6.1
 * checks: hop limit 255; solicitations from a source address; advertisements from a link-local
 * source), asks the policy, sends what it says and keeps the status the API shows.
 *
 * Striker's advertisement: router lifetime 0, no prefixes, M=0, O=0, hop limit and timers
 * unspecified (0), and Striker's MAC as the source link-layer address so no Neighbor
 * Solicitation is needed to answer it.
 *
 * Failing to open the socket (no CAP_NET_RAW, IPv6 off) or to send does not stop PXE: machines
 * then only wait for their own IPv6 timeout. The reason is logged and shown in the status.
 */
import { readFileSync } from 'node:fs';
import { networkInterfaces } from 'node:os';
import type { Logger } from 'pino';
import { decide, defaultTiming, type AdvertiserState, type AdvertiserTiming, type Decision, type ForeignRouter, initialState } from './advertiser-policy.js';
import { openIcmp6Socket, type Icmp6Transport, type Icmp6TransportFactory } from './icmp6-socket.js';
import { decodeRouterMessage, encodeRouterAdvertisement, encodeRouterSolicitation } from './nd-codec.js';

export const ALL_ROUTERS = 'ff02::2';

export type RouterAdvertisementMode = 'auto' | 'off';

export interface RouterAdvertiserStatus {
  mode: RouterAdvertisementMode;
  /** `off` by config; `unavailable` when the socket could not be opened. */
  state: 'off' | 'unavailable' | 'listening' | 'advertising' | 'silent';
  since?: string;
  /** Why it is in this state, in words. */
  reason: string;
  /** The other router that keeps Striker quiet, when `silent`. */
  foreignRouter?: { address: string; lastSeenAt: string; routerLifetime: number; prefixes: string[] };
  received: { solicitations: number; advertisements: number; undecodable: number; wrongHopLimit: number };
  sent: { solicited: number; unsolicited: number; failed: number };
  lastError?: string;
}

export interface RouterAdvertiserOptions {
  iface: string;
  mode: RouterAdvertisementMode;
  logger: Logger;
  /** Default: the native raw socket. */
  openTransport?: Icmp6TransportFactory;
  /** Striker's MAC on the interface; default read from /sys/class/net/<iface>/address. */
  mac?: string;
  /** Striker's link-local address on the interface; default from os.networkInterfaces(). */
  linkLocal?: string;
  timing?: AdvertiserTiming;
  now?: () => number;
  random?: () => number;
}

export interface RouterAdvertiser {
  status(): RouterAdvertiserStatus;
  close(): void;
}

export function startRouterAdvertiser(o: RouterAdvertiserOptions): RouterAdvertiser {
  const log = o.logger;
  const now = o.now ?? Date.now;
  const timing = o.timing ?? defaultTiming;
  const counters: Pick<RouterAdvertiserStatus, 'received' | 'sent'> = {
    received: { solicitations: 0, advertisements: 0, undecodable: 0, wrongHopLimit: 0 },
    sent: { solicited: 0, unsolicited: 0, failed: 0 },
  };
  const base = { mode: o.mode, ...counters };
  if (o.mode === 'off') {
    return { status: () => ({ ...structuredClone(base), state: 'off', reason: 'pxe.ipv6RouterAdvertisements is off' }), close: () => undefined };
  }

  const mac = o.mac ?? readMac(o.iface);
  // The interface may get its link-local address only once it has a carrier: looked up until found.
  let linkLocal = o.linkLocal ?? readLinkLocal(o.iface);
  const ownAddress = (): string | undefined => (linkLocal ??= readLinkLocal(o.iface));
  const advertisement = encodeRouterAdvertisement({ routerLifetime: 0, ...(mac === undefined ? {} : { sourceLinkAddress: mac }) });
  const solicitation = encodeRouterSolicitation(mac);
  let state: AdvertiserState = initialState(now());
  let reason = '';
  let lastError: string | undefined;
  let timer: NodeJS.Timeout | undefined;
  let closed = false;
  let transport: Icmp6Transport;

  const apply = (d: Decision): void => {
    state = d.state;
    for (const a of d.actions) {
      if (a.kind === 'phase') {
        reason = a.reason;
        const f = state.foreign;
        if (a.phase === 'silent') log.warn({ peer: f?.address, routerLifetime: f?.routerLifetime, prefixes: f?.prefixes }, a.reason);
        else log.info({ phase: a.phase }, a.reason);
      } else {
        const [message, to] = a.kind === 'solicit' ? [solicitation, ALL_ROUTERS] : [advertisement, a.to];
        try {
          transport.send(message, to);
          if (a.kind === 'advertise') counters.sent[a.reason]++;
          log.debug({ peer: to, kind: a.kind }, 'router message sent');
        } catch (error) {
          counters.sent.failed++;
          lastError = `sending to ${to}: ${(error as Error).message}`;
          log.warn({ err: error, peer: to }, 'router message could not be sent');
        }
      }
    }
    clearTimeout(timer);
    timer = undefined;
    if (d.wakeAt !== undefined && !closed) {
      timer = setTimeout(() => apply(decide(state, { kind: 'tick', now: now() }, timing, o.random)), Math.max(0, d.wakeAt - now()));
      timer.unref();
    }
  };

  const receive = (message: Buffer, from: string, hopLimit: number): void => {
    if (closed) return;
    if (hopLimit !== 255) {
      counters.received.wrongHopLimit++;
      return;
    }
    // The host's own solicitations (the kernel sends some when the link comes up) are not a client's.
    if (from === ownAddress()) return;
    if (state.ownAddress === undefined && linkLocal !== undefined) state = { ...state, ownAddress: linkLocal };
    let decoded;
    try {
      decoded = decodeRouterMessage(message);
    } catch (error) {
      counters.received.undecodable++;
      log.debug({ err: error, peer: from }, 'undecodable router message');
      return;
    }
    if (decoded.kind === 'solicitation') {
      counters.received.solicitations++;
      log.debug({ peer: from, mac: decoded.sourceLinkAddress }, 'router solicitation');
      apply(decide(state, { kind: 'solicitation', now: now(), from }, timing, o.random));
    } else {
      // RFC 4861 §6.1.2: a router advertisement comes from a link-local address.
      if (!from.toLowerCase().startsWith('fe80:')) {
        counters.received.undecodable++;
        return;
      }
      counters.received.advertisements++;
      apply(decide(state, { kind: 'advertisement', now: now(), from, advert: decoded }, timing, o.random));
    }
  };

  try {
    transport = (o.openTransport ?? openIcmp6Socket)(o.iface, receive);
  } catch (error) {
    const message = (error as Error).message;
    log.warn({ err: error }, 'router advertisements unavailable; booting machines wait for their own IPv6 timeout');
    return { status: () => ({ ...structuredClone(base), state: 'unavailable', reason: message }), close: () => undefined };
  }
  apply(decide(state, { kind: 'start', now: now(), ...(linkLocal === undefined ? {} : { ownAddress: linkLocal }) }, timing, o.random));

  return {
    status: () => ({
      ...structuredClone(base),
      state: state.phase,
      since: new Date(state.phaseSince).toISOString(),
      reason,
      ...(state.phase === 'silent' && state.foreign !== undefined ? { foreignRouter: foreignStatus(state.foreign) } : {}),
      ...(lastError === undefined ? {} : { lastError }),
    }),
    close: () => {
      if (closed) return;
      closed = true;
      clearTimeout(timer);
      transport.close();
    },
  };
}

function foreignStatus(f: ForeignRouter): NonNullable<RouterAdvertiserStatus['foreignRouter']> {
  return { address: f.address, lastSeenAt: new Date(f.seenAt).toISOString(), routerLifetime: f.routerLifetime, prefixes: f.prefixes };
}

function readMac(iface: string): string | undefined {
  try {
    const mac = readFileSync(`/sys/class/net/${iface}/address`, 'utf8').trim();
    return /^([0-9a-f]{2}:){5}[0-9a-f]{2}$/.test(mac) ? mac : undefined;
  } catch {
    return undefined;
  }
}

function readLinkLocal(iface: string): string | undefined {
  return networkInterfaces()[iface]?.find((a) => a.family === 'IPv6' && a.address.toLowerCase().startsWith('fe80:'))?.address;
}
