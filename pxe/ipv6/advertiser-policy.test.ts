import { describe, expect, it } from 'vitest';
import { decide, defaultTiming, initialState, type AdvertiserInput, type AdvertiserState, type Decision } from './advertiser-policy.js';
import type { RouterAdvertisement } from './nd-codec.js';

const OWN = 'fe80::2';
const siteRouter: RouterAdvertisement = {
  kind: 'advertisement', curHopLimit: 64, managed: false, other: false, routerLifetime: 1800, reachableTime: 0, retransTimer: 0,
  prefixes: [{ prefix: '2001:db8:1::', length: 64, onLink: true, autonomous: true, validLifetime: 86_400, preferredLifetime: 14_400 }],
};
const waitEnder: RouterAdvertisement = { kind: 'advertisement', curHopLimit: 0, managed: false, other: false, routerLifetime: 0, reachableTime: 0, retransTimer: 0, prefixes: [] };

/** Runs inputs in order from a fresh state, returning every decision. */
function run(...inputs: AdvertiserInput[]): Decision[] {
  let state: AdvertiserState = initialState(0);
  return inputs.map((input) => {
    const d = decide(state, input, defaultTiming, () => 0.5);
    state = d.state;
    return d;
  });
}
const sends = (d: Decision): string[] => d.actions.flatMap((a) => (a.kind === 'advertise' ? [`${a.reason}→${a.to}`] : a.kind === 'solicit' ? ['solicit'] : []));
const start: AdvertiserInput = { kind: 'start', now: 0, ownAddress: OWN };

describe('listen first', () => {
  it('starts by soliciting and listening; advertises no default router only when the listening period is over', () => {
    const [started, early, over] = run(start, { kind: 'tick', now: 2999 }, { kind: 'tick', now: 3000 });
    expect(sends(started!)).toEqual(['solicit']);
    expect(started!.state.phase).toBe('listening');
    expect(started!.wakeAt).toBe(3000);
    expect(sends(early!)).toEqual([]);
    expect(sends(over!)).toEqual(['unsolicited→ff02::1']);
    expect(over!.state.phase).toBe('advertising');
    expect(over!.wakeAt).toBe(3000 + 16_000);
  });

  it('does not answer solicitations while listening', () => {
    const [, heard] = run(start, { kind: 'solicitation', now: 100, from: 'fe80::5054:ff:fe77:5b01' });
    expect(sends(heard!)).toEqual([]);
  });

  it('a site router heard while listening keeps Striker silent, with the router named', () => {
    const [, heard, later] = run(start, { kind: 'advertisement', now: 500, from: 'fe80::1', advert: siteRouter }, { kind: 'tick', now: 3000 });
    expect(heard!.state.phase).toBe('silent');
    expect(heard!.actions).toContainEqual({ kind: 'phase', phase: 'silent', reason: expect.stringContaining('router fe80::1 advertises on this interface') });
    expect(heard!.state.foreign).toEqual({ address: 'fe80::1', seenAt: 500, routerLifetime: 1800, prefixes: ['2001:db8:1::/64'] });
    expect(sends(later!)).toEqual([]);
    expect(later!.state.phase).toBe('silent');
  });
});

describe('answers', () => {
  const advertising = [start, { kind: 'tick', now: 3000 }] as AdvertiserInput[];

  it('a solicitation from an address is answered by unicast at once, each time', () => {
    const ds = run(...advertising, { kind: 'solicitation', now: 3100, from: 'fe80::5054:ff:fe77:5b01' }, { kind: 'solicitation', now: 3200, from: 'fe80::5054:ff:fe77:5b02' });
    expect(sends(ds[2]!)).toEqual(['solicited→fe80::5054:ff:fe77:5b01']);
    expect(sends(ds[3]!)).toEqual(['solicited→fe80::5054:ff:fe77:5b02']);
  });

  it('one from the unspecified address by multicast, at most one per 3 s; the rest wait for the gap', () => {
    const ds = run(...advertising, { kind: 'solicitation', now: 6000, from: '::' }, { kind: 'solicitation', now: 7000, from: '::' }, { kind: 'solicitation', now: 7500, from: '::' }, { kind: 'tick', now: 9000 });
    expect(sends(ds[2]!)).toEqual(['solicited→ff02::1']);
    expect(sends(ds[3]!)).toEqual([]);
    expect(ds[3]!.wakeAt).toBe(9000);
    expect(sends(ds[4]!)).toEqual([]);
    expect(sends(ds[5]!)).toEqual(['solicited→ff02::1']);
    expect(ds[5]!.state.pendingMulticastAt).toBeUndefined();
  });

  it('unsolicited: three 16 s apart after listening, then every 200–600 s', () => {
    const ds = run(...advertising, { kind: 'tick', now: 19_000 }, { kind: 'tick', now: 35_000 });
    expect(sends(ds[2]!)).toEqual(['unsolicited→ff02::1']);
    expect(ds[2]!.wakeAt).toBe(35_000);
    expect(sends(ds[3]!)).toEqual(['unsolicited→ff02::1']);
    expect(ds[3]!.wakeAt).toBe(35_000 + 400_000);
  });
});

describe('a site that runs IPv6 is not disturbed', () => {
  const advertising = [start, { kind: 'tick', now: 3000 }] as AdvertiserInput[];

  it('a site router appearing later silences Striker; solicitations then go unanswered', () => {
    const ds = run(...advertising, { kind: 'advertisement', now: 5000, from: 'fe80::1', advert: siteRouter }, { kind: 'solicitation', now: 6000, from: 'fe80::9' });
    expect(ds[2]!.state.phase).toBe('silent');
    expect(sends(ds[3]!)).toEqual([]);
  });

  it('listens again once the router has not been heard for 30 minutes, and is silenced again when it is', () => {
    const hold = defaultTiming.foreignHoldMs;
    const ds = run(...advertising, { kind: 'advertisement', now: 5000, from: 'fe80::1', advert: siteRouter }, { kind: 'tick', now: 5000 + hold - 1 }, { kind: 'tick', now: 5000 + hold });
    expect(ds[2]!.wakeAt).toBe(5000 + hold);
    expect(ds[3]!.state.phase).toBe('silent');
    expect(ds[4]!.state.phase).toBe('listening');
    expect(sends(ds[4]!)).toEqual(['solicit']);
  });

  it('a router that advertises M or O (DHCPv6) counts as a site router even with lifetime 0', () => {
    const [, , d] = run(...advertising, { kind: 'advertisement', now: 5000, from: 'fe80::ffff', advert: { ...waitEnder, managed: true } });
    expect(d!.state.phase).toBe('silent');
  });

  it('of two advertisers that only end the wait, the lower link-local address speaks', () => {
    const higher = run(...advertising, { kind: 'advertisement', now: 5000, from: 'fe80::3', advert: waitEnder });
    expect(higher[2]!.state.phase).toBe('advertising');
    const lower = run(...advertising, { kind: 'advertisement', now: 5000, from: 'fe80::1', advert: waitEnder });
    expect(lower[2]!.state.phase).toBe('silent');
  });
});
