/**
 * When Striker sends router advertisements on the PXE interface, and when it keeps quiet. Pure:
 * the adapter (router-advertiser.ts) feeds it what happened and does what it says.
 *
 * Why: iPXE configures IPv6 alongside DHCPv4 and waits for a Router Advertisement before its
 * `ifconf` finishes; with no router on the back-channel network that wait runs to its timeout.
 * An advertisement with router lifetime 0 (not a default router, RFC 4861 §4.2), no prefixes and
 * M=0/O=0 tells it that there is nothing more to configure, so it stops waiting at once.
 *
 * Not disturbing a site that runs IPv6:
 * - Striker listens first (`listenMs`, after sending one Router Solicitation of its own so that
 *   routers answer at once) and advertises only if no other router spoke.
 * - Any other router's advertisement puts it in `silent`; it listens again once none has been
 *   heard for `foreignHoldMs` (three times the longest unsolicited interval a router may use,
 *   RFC 4861 §6.2.1, like a default router lifetime).
 * - Another advertiser that only ends the wait as Striker does (a second Striker, dnsmasq
 *   `ra-only`) is no site router: of two such, the lower link-local address advertises and the
 *   other keeps quiet, so they do not silence each other.
 *
 * Answers: a solicitation from an address is answered by unicast at once (RFC 4861 §6.2.6
 * allows it); one from the unspecified address by multicast, at most one multicast per
 * `minMulticastGapMs` (MIN_DELAY_BETWEEN_RAS). Unsolicited ones: right after listening, then
 * `initialCount - 1` more every `initialIntervalMs`, then every `minIntervalMs..maxIntervalMs`.
 */
import type { RouterAdvertisement } from './nd-codec.js';
import { parseIpv6 } from './nd-codec.js';

export const ALL_NODES = 'ff02::1';

export interface AdvertiserTiming {
  listenMs: number;
  initialCount: number;
  initialIntervalMs: number;
  minIntervalMs: number;
  maxIntervalMs: number;
  minMulticastGapMs: number;
  foreignHoldMs: number;
}

/** RFC 4861 §6.2.1 and §10 defaults, with a listening period of a few solicitation intervals. */
export const defaultTiming: AdvertiserTiming = {
  listenMs: 3000,
  initialCount: 3,
  initialIntervalMs: 16_000,
  minIntervalMs: 200_000,
  maxIntervalMs: 600_000,
  minMulticastGapMs: 3000,
  foreignHoldMs: 1_800_000,
};

export type AdvertiserPhase = 'listening' | 'advertising' | 'silent';

export interface ForeignRouter {
  address: string;
  seenAt: number;
  routerLifetime: number;
  prefixes: string[];
}

export interface AdvertiserState {
  phase: AdvertiserPhase;
  phaseSince: number;
  /** Striker's own link-local address on the interface, when it has one (for the tie-break). */
  ownAddress?: string;
  listenUntil: number;
  /** The router that last silenced Striker. */
  foreign?: ForeignRouter;
  initialLeft: number;
  nextUnsolicitedAt?: number;
  lastMulticastAt?: number;
  pendingMulticastAt?: number;
}

export type AdvertiserInput =
  | { kind: 'start'; now: number; ownAddress?: string }
  | { kind: 'tick'; now: number }
  | { kind: 'solicitation'; now: number; from: string }
  | { kind: 'advertisement'; now: number; from: string; advert: RouterAdvertisement };

export type AdvertiserAction =
  | { kind: 'solicit' }
  | { kind: 'advertise'; to: string; reason: 'solicited' | 'unsolicited' }
  | { kind: 'phase'; phase: AdvertiserPhase; reason: string };

export interface Decision {
  state: AdvertiserState;
  actions: AdvertiserAction[];
  /** When to tick next; undefined: only on the next packet. */
  wakeAt: number | undefined;
}

export function initialState(now: number): AdvertiserState {
  return { phase: 'listening', phaseSince: now, listenUntil: now, initialLeft: 0 };
}

/** True for an advertisement that, like Striker's, only ends the wait: no default router, no prefixes, no DHCPv6. */
export function endsWaitOnly(advert: RouterAdvertisement): boolean {
  return advert.routerLifetime === 0 && advert.prefixes.length === 0 && !advert.managed && !advert.other;
}

/** `random` returns [0, 1) and spreads the unsolicited interval. */
export function decide(previous: AdvertiserState, input: AdvertiserInput, timing: AdvertiserTiming = defaultTiming, random: () => number = Math.random): Decision {
  let state: AdvertiserState = { ...previous };
  const actions: AdvertiserAction[] = [];
  const now = input.now;
  const enter = (phase: AdvertiserPhase, reason: string): void => {
    state = { ...state, phase, phaseSince: now };
    actions.push({ kind: 'phase', phase, reason });
  };
  const multicast = (reason: 'solicited' | 'unsolicited'): void => {
    actions.push({ kind: 'advertise', to: ALL_NODES, reason });
    state.lastMulticastAt = now;
    state.pendingMulticastAt = undefined;
  };
  const listen = (reason: string): void => {
    state = { ...state, listenUntil: now + timing.listenMs, initialLeft: 0, nextUnsolicitedAt: undefined, pendingMulticastAt: undefined };
    enter('listening', reason);
    actions.push({ kind: 'solicit' });
  };

  switch (input.kind) {
    case 'start':
      state = { ...initialState(now), ...(input.ownAddress === undefined ? {} : { ownAddress: input.ownAddress }) };
      listen('started: listening for other routers first');
      break;
    case 'advertisement': {
      if (endsWaitOnly(input.advert) && state.ownAddress !== undefined && compareIpv6(input.from, state.ownAddress) > 0) break;
      const wasSilent = state.phase === 'silent';
      state.foreign = { address: input.from, seenAt: now, routerLifetime: input.advert.routerLifetime, prefixes: input.advert.prefixes.map((p) => `${p.prefix}/${p.length}`) };
      if (!wasSilent) enter('silent', `router ${input.from} advertises on this interface; Striker sends no router advertisements`);
      break;
    }
    case 'solicitation':
      if (state.phase !== 'advertising') break;
      if (input.from !== '::') actions.push({ kind: 'advertise', to: input.from, reason: 'solicited' });
      else if (state.lastMulticastAt === undefined || now - state.lastMulticastAt >= timing.minMulticastGapMs) multicast('solicited');
      else state.pendingMulticastAt ??= state.lastMulticastAt + timing.minMulticastGapMs;
      break;
    case 'tick':
      if (state.phase === 'listening' && now >= state.listenUntil) {
        enter('advertising', 'no other router heard: advertising no default router, no prefixes, M=0 O=0');
        multicast('unsolicited');
        state.initialLeft = Math.max(0, timing.initialCount - 1);
        state.nextUnsolicitedAt = now + nextInterval(state, timing, random);
      } else if (state.phase === 'silent' && state.foreign !== undefined && now >= state.foreign.seenAt + timing.foreignHoldMs) {
        listen(`router ${state.foreign.address} not heard for ${Math.round(timing.foreignHoldMs / 1000)} s: listening again`);
      } else if (state.phase === 'advertising') {
        const due = (at: number | undefined): boolean => at !== undefined && now >= at;
        if (due(state.nextUnsolicitedAt)) {
          multicast('unsolicited');
          if (state.initialLeft > 0) state.initialLeft--;
          state.nextUnsolicitedAt = now + nextInterval(state, timing, random);
        } else if (due(state.pendingMulticastAt)) {
          multicast('solicited');
        }
      }
      break;
  }
  return { state, actions, wakeAt: wakeAt(state, timing) };
}

function nextInterval(state: AdvertiserState, timing: AdvertiserTiming, random: () => number): number {
  if (state.initialLeft > 0) return timing.initialIntervalMs;
  return Math.round(timing.minIntervalMs + random() * (timing.maxIntervalMs - timing.minIntervalMs));
}

function wakeAt(state: AdvertiserState, timing: AdvertiserTiming): number | undefined {
  switch (state.phase) {
    case 'listening':
      return state.listenUntil;
    case 'silent':
      return state.foreign === undefined ? undefined : state.foreign.seenAt + timing.foreignHoldMs;
    case 'advertising': {
      const times = [state.nextUnsolicitedAt, state.pendingMulticastAt].filter((t): t is number => t !== undefined);
      return times.length === 0 ? undefined : Math.min(...times);
    }
  }
}

/** Orders two IPv6 addresses by their bytes; addresses that do not parse sort last. */
function compareIpv6(a: string, b: string): number {
  try {
    return Buffer.compare(parseIpv6(a), parseIpv6(b));
  } catch {
    return 1;
  }
}
