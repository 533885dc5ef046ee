import { describe, expect, it } from 'vitest';
import { parseDhcpConfig, type DhcpConfigInput } from './config.js';
import { decide, LIMITED_BROADCAST, type Decision } from './decide.js';
import { formatIpv4, parseIpv4 } from '../../striker/core/net/ipv4.js';
import { LeaseTable } from './lease-table.js';
import { MessageType } from './option-codes.js';
import { decodeSubOptions, encodeSubOptions, textBytes, u32Bytes } from './option-values.js';
import type { DhcpOption, DhcpPacket } from './packet.js';
import { findOption, readU32 } from './packet.js';
import { compileDhcpConfig, type StaticReservation } from './subnets.js';

const ip = (s: string) => parseIpv4(s)!;
const baseConfig: DhcpConfigInput = {
  interfaces: ['eth0'],
  serverAddress: '10.0.0.1',
  subnets: [
    { cidr: '10.0.0.0/24', pools: [{ start: '10.0.0.10', end: '10.0.0.13' }], router: '10.0.0.1', dns: ['10.0.0.1'], leaseTime: 600 },
    { cidr: '10.9.0.0/24', pools: [{ start: '10.9.0.50', end: '10.9.0.60' }], router: '10.9.0.1' },
  ],
  reservations: [{ mac: '52:54:00:00:00:99', ip: '10.0.0.99', hostname: 'node1' }],
  offerHoldSeconds: 30,
  declineQuarantineSeconds: 600,
};

class Harness {
  readonly plan;
  readonly leases = new LeaseTable();
  now = 1_000_000;
  constructor(input: DhcpConfigInput = baseConfig) {
    this.plan = compileDhcpConfig(parseDhcpConfig(input));
  }
  send(p: DhcpPacket, opts: { port?: 'server' | 'proxy'; reservation?: StaticReservation } = {}): Decision {
    const mac = Array.from(p.chaddr.subarray(0, 6), (b) => b.toString(16).padStart(2, '0')).join(':');
    const d = decide({ plan: this.plan, leases: this.leases }, {
      packet: p, now: this.now, port: opts.port ?? 'server', source: { address: p.ciaddr || p.giaddr, port: 68 },
      reservation: opts.reservation ?? this.plan.reservations.get(mac),
    });
    for (const c of d.changes) this.leases.apply(c);
    return d;
  }
}

function msg(type: number, macLast: number, options: DhcpOption[] = [], header: Partial<DhcpPacket> = {}): DhcpPacket {
  const chaddr = new Uint8Array(16);
  chaddr.set([0x52, 0x54, 0x00, 0x00, 0x00, macLast]);
  return {
    op: 1, htype: 1, hlen: 6, hops: 0, xid: 0x100 + macLast, secs: 0, flags: 0, ciaddr: 0, yiaddr: 0, siaddr: 0, giaddr: 0,
    chaddr, sname: '', file: '', options: [{ code: 53, data: Uint8Array.of(type) }, ...options], ...header,
  };
}
const requested = (a: string): DhcpOption => ({ code: 50, data: u32Bytes(ip(a)) });
const serverId = (a: string): DhcpOption => ({ code: 54, data: u32Bytes(ip(a)) });
const typeOf = (d: Decision) => d.reply?.packet.options.find((o) => o.code === 53)?.data[0];
const yiaddr = (d: Decision) => formatIpv4(d.reply?.packet.yiaddr ?? 0);

function dora(h: Harness, macLast: number): Decision {
  const offer = h.send(msg(MessageType.DHCPDISCOVER, macLast));
  return h.send(msg(MessageType.DHCPREQUEST, macLast, [requested(yiaddr(offer)), serverId('10.0.0.1')]));
}

describe('DISCOVER / OFFER', () => {
  it('offers the first pool address, broadcast, with subnet options, and holds it', () => {
    const h = new Harness();
    const d = h.send(msg(MessageType.DHCPDISCOVER, 1));
    expect(typeOf(d)).toBe(MessageType.DHCPOFFER);
    expect(yiaddr(d)).toBe('10.0.0.10');
    expect(d.reply).toMatchObject({ address: LIMITED_BROADCAST, port: 68 });
    expect(readU32(findOption(d.reply!.packet, 54)!)).toBe(ip('10.0.0.1'));
    expect(readU32(findOption(d.reply!.packet, 51)!)).toBe(600);
    expect(readU32(findOption(d.reply!.packet, 1)!)).toBe(ip('255.255.255.0'));
    expect(d.changes).toEqual([{ kind: 'offer', lease: expect.objectContaining({ ip: ip('10.0.0.10'), state: 'offered', expiresAt: h.now + 30_000 }) }]);
    expect(d.durable).toBe(false);
    expect(d.events.map((e) => e.step)).toEqual(['dhcp.discover', 'dhcp.offer']);
  });

  it('offers the same address to the same client again, another to a second client while held', () => {
    const h = new Harness();
    expect(yiaddr(h.send(msg(MessageType.DHCPDISCOVER, 1)))).toBe('10.0.0.10');
    expect(yiaddr(h.send(msg(MessageType.DHCPDISCOVER, 1)))).toBe('10.0.0.10');
    expect(yiaddr(h.send(msg(MessageType.DHCPDISCOVER, 2)))).toBe('10.0.0.11');
  });

  it('honours a free requested address, reuses an expired offer', () => {
    const h = new Harness();
    expect(yiaddr(h.send(msg(MessageType.DHCPDISCOVER, 1, [requested('10.0.0.12')])))).toBe('10.0.0.12');
    h.now += 31_000;
    expect(yiaddr(h.send(msg(MessageType.DHCPDISCOVER, 2, [requested('10.0.0.12')])))).toBe('10.0.0.12');
  });

  it('stays silent when the pool is exhausted', () => {
    const h = new Harness();
    for (let i = 1; i <= 4; i++) expect(typeOf(dora(h, i))).toBe(MessageType.DHCPACK);
    const d = h.send(msg(MessageType.DHCPDISCOVER, 5));
    expect(d.reply).toBeUndefined();
    expect(d.drop).toBe('pool-exhausted');
  });

  it('sends the same options in OFFER and ACK (one code path)', () => {
    const h = new Harness();
    const offer = h.send(msg(MessageType.DHCPDISCOVER, 1));
    const ack = h.send(msg(MessageType.DHCPREQUEST, 1, [requested('10.0.0.10'), serverId('10.0.0.1')]));
    const codes = (d: Decision) => d.reply!.packet.options.filter((o) => o.code !== 53).map((o) => [o.code, Buffer.from(o.data).toString('hex')]);
    expect(codes(ack)).toEqual(codes(offer));
  });

  it('drops options the client did not ask for when its maximum message size is small', () => {
    const h = new Harness({ ...baseConfig, subnets: [{ cidr: '10.0.0.0/24', pools: [{ start: '10.0.0.10', end: '10.0.0.13' }], options: [{ code: 224, hex: 'ab'.repeat(300) }] }] });
    const d = h.send(msg(MessageType.DHCPDISCOVER, 1, [{ code: 55, data: Uint8Array.of(1, 3) }]));
    expect(findOption(d.reply!.packet, 224)).toBeUndefined();
    expect(findOption(d.reply!.packet, 1)).toBeDefined();
    const big = h.send(msg(MessageType.DHCPDISCOVER, 2, [{ code: 57, data: Uint8Array.of(5, 220) }]));
    expect(findOption(big.reply!.packet, 224)).toBeDefined();
  });
});

describe('REQUEST in every state (RFC 2131 §4.3.2)', () => {
  it('SELECTING: ACKs the offered address and asks for it to be durable first', () => {
    const h = new Harness();
    const d = dora(h, 1);
    expect(typeOf(d)).toBe(MessageType.DHCPACK);
    expect(yiaddr(d)).toBe('10.0.0.10');
    expect(d.durable).toBe(true);
    expect(d.changes).toEqual([{ kind: 'bind', lease: expect.objectContaining({ state: 'bound', expiresAt: h.now + 600_000, mac: '52:54:00:00:00:01' }) }]);
    expect(d.events.map((e) => e.step)).toEqual(['dhcp.request', 'dhcp.ack']);
  });

  it('SELECTING another server: silent', () => {
    const h = new Harness();
    h.send(msg(MessageType.DHCPDISCOVER, 1));
    const d = h.send(msg(MessageType.DHCPREQUEST, 1, [requested('10.0.0.10'), serverId('10.0.0.2')]));
    expect(d.reply).toBeUndefined();
    expect(d.drop).toBe('other-server');
  });

  it('SELECTING an address another client holds: NAK, broadcast', () => {
    const h = new Harness();
    dora(h, 1);
    const d = h.send(msg(MessageType.DHCPREQUEST, 2, [requested('10.0.0.10'), serverId('10.0.0.1')]));
    expect(typeOf(d)).toBe(MessageType.DHCPNAK);
    expect(d.reply).toMatchObject({ address: LIMITED_BROADCAST, port: 68 });
    expect(findOption(d.reply!.packet, 51)).toBeUndefined();
  });

  it('INIT-REBOOT: ACK own address, NAK another network, NAK another client\'s address, ACK a free one', () => {
    const h = new Harness();
    dora(h, 1);
    expect(typeOf(h.send(msg(MessageType.DHCPREQUEST, 1, [requested('10.0.0.10')])))).toBe(MessageType.DHCPACK);
    expect(typeOf(h.send(msg(MessageType.DHCPREQUEST, 1, [requested('192.168.1.5')])))).toBe(MessageType.DHCPNAK);
    expect(typeOf(h.send(msg(MessageType.DHCPREQUEST, 2, [requested('10.0.0.10')])))).toBe(MessageType.DHCPNAK);
    expect(yiaddr(h.send(msg(MessageType.DHCPREQUEST, 3, [requested('10.0.0.13')])))).toBe('10.0.0.13');
  });

  it('RENEWING: unicast ACK to ciaddr, ciaddr echoed, lease extended', () => {
    const h = new Harness();
    dora(h, 1);
    h.now += 300_000;
    const d = h.send(msg(MessageType.DHCPREQUEST, 1, [], { ciaddr: ip('10.0.0.10') }));
    expect(typeOf(d)).toBe(MessageType.DHCPACK);
    expect(d.reply).toMatchObject({ address: ip('10.0.0.10'), port: 68 });
    expect(d.reply!.packet.ciaddr).toBe(ip('10.0.0.10'));
    expect(h.leases.byAddress(ip('10.0.0.10'))?.expiresAt).toBe(h.now + 600_000);
  });

  it('REBINDING an address another client holds: NAK', () => {
    const h = new Harness();
    dora(h, 1);
    const d = h.send(msg(MessageType.DHCPREQUEST, 2, [], { ciaddr: ip('10.0.0.10'), flags: 0x8000 }));
    expect(typeOf(d)).toBe(MessageType.DHCPNAK);
  });

  it('REQUEST with neither option 50 nor ciaddr: silent', () => {
    expect(new Harness().send(msg(MessageType.DHCPREQUEST, 1)).drop).toBe('no-requested-address');
  });
});

describe('reservations', () => {
  it('gives a reserved machine its address and host name, NAKs it elsewhere, and keeps it from others', () => {
    const h = new Harness({ ...baseConfig, subnets: [{ cidr: '10.0.0.0/24', pools: [{ start: '10.0.0.10', end: '10.0.0.99' }] }] });
    const offer = h.send(msg(MessageType.DHCPDISCOVER, 0x99));
    expect(yiaddr(offer)).toBe('10.0.0.99');
    expect(Buffer.from(findOption(offer.reply!.packet, 12)!).toString()).toBe('node1');
    expect(typeOf(h.send(msg(MessageType.DHCPREQUEST, 0x99, [requested('10.0.0.10')])))).toBe(MessageType.DHCPNAK);
    for (let i = 1; i <= 89; i++) expect(yiaddr(dora(h, i))).not.toBe('10.0.0.99');
    expect(h.send(msg(MessageType.DHCPDISCOVER, 90)).drop).toBe('pool-exhausted');
  });

  it('takes reservations from the machine lookup seam', () => {
    const h = new Harness();
    const d = h.send(msg(MessageType.DHCPDISCOVER, 7), { reservation: { ip: ip('10.0.0.77'), hostname: 'dr1' } });
    expect(yiaddr(d)).toBe('10.0.0.77');
  });
});

describe('DECLINE, RELEASE, INFORM', () => {
  it('DECLINE quarantines the address until the quarantine ends', () => {
    const h = new Harness({ ...baseConfig, subnets: [{ cidr: '10.0.0.0/24', pools: [{ start: '10.0.0.10', end: '10.0.0.10' }] }], reservations: [] });
    dora(h, 1);
    const d = h.send(msg(MessageType.DHCPDECLINE, 1, [requested('10.0.0.10'), serverId('10.0.0.1')]));
    expect(d.reply).toBeUndefined();
    expect(d.changes[0]).toMatchObject({ kind: 'decline', lease: { state: 'declined' } });
    expect(h.send(msg(MessageType.DHCPDISCOVER, 2)).drop).toBe('pool-exhausted');
    h.now += 601_000;
    expect(yiaddr(h.send(msg(MessageType.DHCPDISCOVER, 2)))).toBe('10.0.0.10');
  });

  it('DECLINE: the declining client is moved to another address, the quarantine stays', () => {
    const h = new Harness({ ...baseConfig, subnets: [{ cidr: '10.0.0.0/24', pools: [{ start: '10.0.0.10', end: '10.0.0.11' }] }], reservations: [] });
    dora(h, 1);
    h.send(msg(MessageType.DHCPDECLINE, 1, [requested('10.0.0.10'), serverId('10.0.0.1')]));
    expect(yiaddr(dora(h, 1))).toBe('10.0.0.11');
    expect(h.leases.byAddress(ip('10.0.0.10'))?.state).toBe('declined');
    expect(h.send(msg(MessageType.DHCPDISCOVER, 2)).drop).toBe('pool-exhausted');
  });

  it('RELEASE frees the address for another client; a stranger cannot release it', () => {
    const h = new Harness({ ...baseConfig, subnets: [{ cidr: '10.0.0.0/24', pools: [{ start: '10.0.0.10', end: '10.0.0.10' }] }], reservations: [] });
    dora(h, 1);
    expect(h.send(msg(MessageType.DHCPRELEASE, 2, [serverId('10.0.0.1')], { ciaddr: ip('10.0.0.10') })).drop).toBe('no-lease');
    const d = h.send(msg(MessageType.DHCPRELEASE, 1, [serverId('10.0.0.1')], { ciaddr: ip('10.0.0.10') }));
    expect(d.changes[0]).toMatchObject({ kind: 'release', lease: { state: 'released' } });
    expect(yiaddr(h.send(msg(MessageType.DHCPDISCOVER, 2)))).toBe('10.0.0.10');
  });

  it('INFORM: ACK with configuration, no address, no lease time, unicast to ciaddr', () => {
    const d = new Harness().send(msg(MessageType.DHCPINFORM, 1, [], { ciaddr: ip('10.0.0.200') }));
    expect(typeOf(d)).toBe(MessageType.DHCPACK);
    expect(d.reply!.packet.yiaddr).toBe(0);
    expect(findOption(d.reply!.packet, 51)).toBeUndefined();
    expect(findOption(d.reply!.packet, 3)).toBeDefined();
    expect(d.reply).toMatchObject({ address: ip('10.0.0.200'), port: 68 });
    expect(d.changes).toEqual([]);
  });
});

describe('relays and authority', () => {
  it('selects the subnet by giaddr, replies to the relay on port 67, echoes option 82', () => {
    const h = new Harness();
    const agent = encodeSubOptions([{ code: 1, data: textBytes('port7') }]);
    const d = h.send(msg(MessageType.DHCPDISCOVER, 1, [{ code: 82, data: agent }], { giaddr: ip('10.9.0.1'), hops: 1 }));
    expect(yiaddr(d)).toBe('10.9.0.50');
    expect(d.reply).toMatchObject({ address: ip('10.9.0.1'), port: 67 });
    expect(d.reply!.packet.giaddr).toBe(ip('10.9.0.1'));
    const options = d.reply!.packet.options;
    expect(options[options.length - 1]?.code).toBe(82);
    expect(decodeSubOptions(options[options.length - 1]!.data, '82', 0)[0]?.data).toEqual(textBytes('port7'));
  });

  it('serves a client on a second interface from that interface\'s subnet, identified by its address', () => {
    const h = new Harness();
    h.plan.ownAddresses.add(ip('10.9.0.1'));
    const mac = '52:54:00:00:00:05';
    const arrive = (p: DhcpPacket) => decide({ plan: h.plan, leases: h.leases }, { packet: p, now: h.now, port: 'server', source: { address: 0, port: 68 }, reservation: undefined, local: ip('10.9.0.1') });
    const offer = arrive(msg(MessageType.DHCPDISCOVER, 5));
    expect(yiaddr(offer)).toBe('10.9.0.50');
    expect(readU32(findOption(offer.reply!.packet, 54)!)).toBe(ip('10.9.0.1'));
    for (const c of offer.changes) h.leases.apply(c);
    const ack = arrive(msg(MessageType.DHCPREQUEST, 5, [requested('10.9.0.50'), serverId('10.9.0.1')]));
    expect(typeOf(ack)).toBe(MessageType.DHCPACK);
    expect(ack.mac).toBe(mac);
  });

  it('is silent for relayed networks it does not serve', () => {
    const d = new Harness().send(msg(MessageType.DHCPDISCOVER, 1, [], { giaddr: ip('172.16.0.1') }));
    expect(d.drop).toBe('no-subnet');
    expect(d.reply).toBeUndefined();
  });

  it('ignores replies and plain BOOTP', () => {
    const h = new Harness();
    expect(h.send(msg(MessageType.DHCPOFFER, 1, [], { op: 2 })).drop).toBe('not-a-request');
    expect(h.send({ ...msg(1, 1), options: [] }).drop).toBe('bootp');
    expect(h.send(msg(MessageType.DHCPACK, 1)).drop).toBe('unsupported-type');
  });
});

describe('boot information', () => {
  const pxe = (a: number, vendorClass: string, extra: DhcpOption[] = []) =>
    msg(MessageType.DHCPDISCOVER, 1, [{ code: 60, data: textBytes(vendorClass) }, { code: 93, data: Uint8Array.of(0, a) }, ...extra]);

  it('full mode: native UEFI PXE gets the loader by TFTP, without option 60/43', () => {
    const d = new Harness().send(pxe(7, 'PXEClient:Arch:00007:UNDI:003000'));
    expect(d.reply!.packet.file).toBe('ipxe.efi');
    expect(formatIpv4(d.reply!.packet.siaddr)).toBe('10.0.0.1');
    expect(findOption(d.reply!.packet, 60)).toBeUndefined();
    expect(findOption(d.reply!.packet, 43)).toBeUndefined();
  });

  it('full mode: UEFI HTTP boot gets a URL and option 60 HTTPClient', () => {
    const d = new Harness().send(pxe(0x10, 'HTTPClient:Arch:00016:UNDI:003000'));
    expect(d.reply!.packet.file).toBe('http://10.0.0.1/boot/ipxe.efi');
    expect(Buffer.from(findOption(d.reply!.packet, 60)!).toString()).toBe('HTTPClient');
  });

  it('full mode: iPXE gets its script URL and option 60 PXEClient', () => {
    const d = new Harness().send(pxe(0, 'PXEClient:Arch:00000:UNDI:002001', [{ code: 77, data: textBytes('iPXE') }]));
    expect(d.reply!.packet.file).toBe('http://10.0.0.1/boot/ipxe/52:54:00:00:00:01');
    expect(Buffer.from(findOption(d.reply!.packet, 60)!).toString()).toBe('PXEClient');
  });

  it('proxy mode: boot info only on 67, ACK on 4011 to the client, nothing for OS clients', () => {
    const h = new Harness({ ...baseConfig, mode: 'proxy' });
    const d = h.send(pxe(0, 'PXEClient:Arch:00000:UNDI:002001'));
    expect(typeOf(d)).toBe(MessageType.DHCPOFFER);
    expect(d.reply!.packet.yiaddr).toBe(0);
    expect(d.reply!.packet.file).toBe('undionly.kpxe');
    expect(findOption(d.reply!.packet, 51)).toBeUndefined();
    expect(findOption(d.reply!.packet, 1)).toBeUndefined();
    expect(Buffer.from(findOption(d.reply!.packet, 60)!).toString()).toBe('PXEClient');
    expect(decodeSubOptions(findOption(d.reply!.packet, 43)!, '43', 0)).toEqual([{ code: 6, data: Uint8Array.of(8) }]);
    expect(d.changes).toEqual([]);
    expect(d.events.map((e) => e.step)).toEqual(['dhcp.discover', 'dhcp.proxy']);
    const boot = h.send(msg(MessageType.DHCPREQUEST, 1, [{ code: 60, data: textBytes('PXEClient:Arch:00007:UNDI:003000') }, { code: 93, data: Uint8Array.of(0, 7) }], { ciaddr: ip('192.168.5.20') }), { port: 'proxy' });
    expect(typeOf(boot)).toBe(MessageType.DHCPACK);
    expect(boot.reply).toMatchObject({ address: ip('192.168.5.20'), port: 68 });
    expect(boot.reply!.packet.file).toBe('ipxe.efi');
    expect(h.send(msg(MessageType.DHCPDISCOVER, 2)).drop).toBe('not-pxe');
  });
});
