import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import type { Icmp6Receiver, Icmp6TransportFactory } from './icmp6-socket.js';
import { decodeRouterMessage, encodeRouterAdvertisement, encodeRouterSolicitation } from './nd-codec.js';
import { startRouterAdvertiser } from './router-advertiser.js';

const logger = pino({ level: 'silent' });

/** A transport that records what is sent and lets the test deliver messages. */
function fakeTransport(failSends = false): { factory: Icmp6TransportFactory; sent: { to: string; kind: string }[]; deliver: Icmp6Receiver } {
  const sent: { to: string; kind: string }[] = [];
  let receive: Icmp6Receiver = () => undefined;
  return {
    sent,
    deliver: (m, from, hops) => receive(m, from, hops),
    factory: (_ifname, r) => {
      receive = r;
      return {
        send: (message, to) => {
          if (failSends) throw new Error('sendto: Cannot assign requested address');
          sent.push({ to, kind: decodeRouterMessage(message).kind });
        },
        close: () => undefined,
      };
    },
  };
}

const listenDone = { listenMs: 0, initialCount: 3, initialIntervalMs: 16_000, minIntervalMs: 200_000, maxIntervalMs: 600_000, minMulticastGapMs: 3000, foreignHoldMs: 1_800_000 };
const nextTurn = () => new Promise((r) => setTimeout(r, 5));

describe('router advertiser', () => {
  it("'off' opens no socket and says so", () => {
    let opened = false;
    const a = startRouterAdvertiser({ iface: 'br0', mode: 'off', logger, openTransport: () => ((opened = true), { send: () => undefined, close: () => undefined }) });
    expect(opened).toBe(false);
    expect(a.status()).toMatchObject({ mode: 'off', state: 'off', reason: 'pxe.ipv6RouterAdvertisements is off' });
  });

  it('a socket that cannot be opened leaves PXE running and the reason in the status', () => {
    const a = startRouterAdvertiser({ iface: 'br0', mode: 'auto', logger, openTransport: () => { throw new Error('cannot open a raw ICMPv6 socket on br0: Operation not permitted'); } });
    expect(a.status()).toMatchObject({ state: 'unavailable', reason: 'cannot open a raw ICMPv6 socket on br0: Operation not permitted' });
  });

  it('solicits, then answers a solicitation by unicast; ignores its own address, hop limits other than 255 and garbage', async () => {
    const t = fakeTransport();
    const a = startRouterAdvertiser({ iface: 'br0', mode: 'auto', logger, openTransport: t.factory, mac: '02:00:00:00:00:02', linkLocal: 'fe80::2', timing: listenDone });
    await nextTurn();
    expect(t.sent).toEqual([{ to: 'ff02::2', kind: 'solicitation' }, { to: 'ff02::1', kind: 'advertisement' }]);
    t.deliver(encodeRouterSolicitation('52:54:00:77:5b:01'), 'fe80::5054:ff:fe77:5b01', 255);
    t.deliver(encodeRouterSolicitation(), 'fe80::5054:ff:fe77:5b02', 64);
    t.deliver(encodeRouterAdvertisement({ routerLifetime: 1800 }), 'fe80::2', 255);
    t.deliver(Buffer.from('8501'), 'fe80::9', 255);
    expect(t.sent.slice(2)).toEqual([{ to: 'fe80::5054:ff:fe77:5b01', kind: 'advertisement' }]);
    expect(a.status()).toMatchObject({
      state: 'advertising',
      received: { solicitations: 1, advertisements: 0, undecodable: 1, wrongHopLimit: 1 },
      sent: { solicited: 1, unsolicited: 1, failed: 0 },
    });
    a.close();
  });

  it('a site router silences it; the status names the router', async () => {
    const t = fakeTransport();
    const a = startRouterAdvertiser({ iface: 'br0', mode: 'auto', logger, openTransport: t.factory, linkLocal: 'fe80::2', timing: listenDone });
    await nextTurn();
    t.deliver(encodeRouterAdvertisement({ routerLifetime: 1800 }), 'fe80::1', 255);
    t.deliver(encodeRouterAdvertisement({ routerLifetime: 1800 }), '2001:db8::1', 255);
    t.deliver(encodeRouterSolicitation(), 'fe80::9', 255);
    const s = a.status();
    expect(s).toMatchObject({ state: 'silent', foreignRouter: { address: 'fe80::1', routerLifetime: 1800, prefixes: [] }, received: { advertisements: 1, undecodable: 1 } });
    expect(s.reason).toBe('router fe80::1 advertises on this interface; Striker sends no router advertisements');
    expect(s.sent.solicited).toBe(0);
    a.close();
  });

  it('a failed send is counted and shown, and the advertiser keeps going', async () => {
    const t = fakeTransport(true);
    const a = startRouterAdvertiser({ iface: 'br0', mode: 'auto', logger, openTransport: t.factory, linkLocal: 'fe80::2', timing: listenDone });
    await nextTurn();
    expect(a.status()).toMatchObject({ state: 'advertising', sent: { failed: 2 }, lastError: 'sending to ff02::1: sendto: Cannot assign requested address' });
    a.close();
  });
});
