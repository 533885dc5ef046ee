/**
 * PXE settings as an operator makes them in the UI: on or off, the interface (one of the host's
 * real ones), this Striker's address there, the subnet, the DHCP mode and, in full mode, the
 * range it leases from. `pxeSettingsProblems` lists every problem against the host's interfaces,
 * each under the field it is about; `withPxeSettings` lays them over the configuration file's
 * `pxe:` section (the rest — ports, loaders, TFTP, lease times — stays as configured).
 */
import { z } from 'zod';
import type { Problem } from '../striker/core/errors/index.js';
import { cidrSchema, formatIpv4, ipv4Schema, isHostAddress, parseCidr, parseIpv4, prefixContains, prefixesOverlap, type Ipv4Prefix } from '../striker/core/net/ipv4.js';
import type { HostInterface } from './host-interfaces.js';
import type { PxeConfig, PxeConfigInput } from './pxe-config.js';

export const pxeSettingsSchema = z.strictObject({
  enabled: z.boolean(),
  /** The interface PXE answers on (the back-channel network). */
  interface: z.string().regex(/^[A-Za-z0-9_.:@-]{1,15}$/, 'must be an interface name like bcn1 or eth1'),
  /** This Striker's address on that interface. */
  address: ipv4Schema,
  /** The network machines boot on, e.g. 10.201.0.0/16. */
  subnet: cidrSchema,
  /** `full`: Striker leases addresses; `proxy`: another DHCP server does, Striker adds boot information. */
  mode: z.enum(['full', 'proxy']),
  /** The range leased in full mode. */
  rangeStart: ipv4Schema.nullable().optional(),
  rangeEnd: ipv4Schema.nullable().optional(),
});

export type PxeSettings = z.infer<typeof pxeSettingsSchema>;

/** Every problem with `s` on a host with `interfaces`, each under its field's name. */
export function pxeSettingsProblems(s: PxeSettings, interfaces: readonly HostInterface[]): Problem[] {
  const problems: Problem[] = [];
  const iface = interfaces.find((i) => i.name === s.interface);
  if (iface === undefined) {
    const names = interfaces.filter((i) => !i.loopback).map((i) => i.name);
    problems.push({ path: 'interface', message: `${s.interface} is not an interface of this host (it has: ${names.join(', ') || 'none'})` });
  } else if (s.enabled && !iface.ipv4.some((a) => a.split('/')[0] === s.address)) {
    problems.push({ path: 'address', message: `${s.address} is not configured on ${s.interface} (it has: ${iface.ipv4.join(', ') || 'no IPv4 address'})` });
  }
  const subnet = parseCidr(s.subnet);
  if (subnet === undefined) return problems;
  const address = parseIpv4(s.address);
  if (address !== undefined && !isHostAddress(subnet, address)) problems.push({ path: 'address', message: `${s.address} is not a host address in ${s.subnet}` });
  if (s.mode === 'full') problems.push(...rangeProblems(s, subnet, address));
  return problems;
}

function rangeProblems(s: PxeSettings, subnet: Ipv4Prefix, address: number | undefined): Problem[] {
  const problems: Problem[] = [];
  const ends = (['rangeStart', 'rangeEnd'] as const).map((key) => {
    const text = s[key];
    if (text === undefined || text === null) {
      problems.push({ path: key, message: 'is required in full DHCP mode (the addresses machines lease)' });
      return undefined;
    }
    const value = parseIpv4(text)!;
    if (!isHostAddress(subnet, value)) problems.push({ path: key, message: `${text} is outside ${s.subnet} (or is its network or broadcast address)` });
    return value;
  });
  const [start, end] = ends;
  if (start !== undefined && end !== undefined) {
    if (start > end) problems.push({ path: 'rangeEnd', message: `${s.rangeEnd} comes before the start ${s.rangeStart}` });
    else if (address !== undefined && address >= start && address <= end) {
      problems.push({ path: 'rangeStart', message: `the range ${s.rangeStart}–${s.rangeEnd} holds this Striker's own address ${s.address}` });
    }
  }
  return problems;
}

/** A reserved address is usable only inside the PXE subnet (and not the Striker's own). */
export function reservedIpProblem(ip: string, s: Pick<PxeSettings, 'subnet' | 'address'>): string | undefined {
  const subnet = parseCidr(s.subnet);
  const value = parseIpv4(ip);
  if (subnet === undefined || value === undefined) return undefined;
  if (!isHostAddress(subnet, value)) return `${ip} is outside the PXE network ${s.subnet}: a machine booting there could never get it`;
  if (ip === s.address) return `${ip} is this Striker's own address on the PXE network`;
  return undefined;
}

/**
 * The configuration with `s` laid over it: PXE on or off, interface and address, and a DHCP
 * subnet for `s.subnet` (keeping the configured options of a subnet with the same CIDR) in
 * place of configured subnets that overlap it. Reservations outside every subnet left are dropped.
 */
export function withPxeSettings(base: PxeConfig, s: PxeSettings): PxeConfigInput {
  const subnet = parseCidr(s.subnet)!;
  const same = base.dhcp.subnets.find((n) => n.cidr === s.subnet);
  const others = base.dhcp.subnets.filter((n) => {
    const cidr = parseCidr(n.cidr);
    return cidr !== undefined && !prefixesOverlap(cidr, subnet);
  });
  const pools = s.mode === 'full' && s.rangeStart && s.rangeEnd ? [{ start: s.rangeStart, end: s.rangeEnd }] : [];
  const subnets = [{ ...(same ?? { cidr: s.subnet }), cidr: s.subnet, pools }, ...others];
  const cidrs = subnets.map((n) => parseCidr(n.cidr)).filter((c): c is Ipv4Prefix => c !== undefined);
  const reservations = base.dhcp.reservations.filter((r) => cidrs.some((c) => prefixContains(c, parseIpv4(r.ip) ?? 0)));
  return {
    ...base,
    enabled: s.enabled,
    interface: s.interface,
    address: s.address,
    dhcp: { ...base.dhcp, mode: s.mode, interfaces: [s.interface], serverAddress: s.address, subnets, reservations },
  };
}

/**
 * What the settings page offers before anyone types: the wizard's BCN (subnet and this Striker's
 * address there), the interface carrying that address if any, full mode, and a range in the
 * BCN's upper part that leaves the Striker's own address out.
 */
export function suggestPxeSettings(bcn: { subnet: string; address: string } | undefined, interfaces: readonly HostInterface[]): Partial<PxeSettings> {
  if (bcn === undefined) return { enabled: true, mode: 'full' };
  const carrier = interfaces.find((i) => i.ipv4.some((a) => a.split('/')[0] === bcn.address));
  const subnet = parseCidr(bcn.subnet);
  const range = subnet === undefined ? undefined : suggestedRange(subnet, parseIpv4(bcn.address));
  return { enabled: true, mode: 'full', subnet: bcn.subnet, address: bcn.address, ...(carrier ? { interface: carrier.name } : {}), ...(range ?? {}) };
}

/** The upper half of the subnet's hosts, at most 250 addresses, ending below the broadcast; none holding `own`. */
function suggestedRange(subnet: Ipv4Prefix, own: number | undefined): { rangeStart: string; rangeEnd: string } | undefined {
  if (subnet.length > 29) return undefined;
  const first = subnet.network + 1;
  const last = subnet.broadcast - 1;
  const size = Math.min(250, Math.floor((last - first + 1) / 2));
  let end = last;
  let start = end - size + 1;
  if (own !== undefined && own >= start && own <= end) {
    end = own - 1;
    start = Math.max(first, end - size + 1);
    if (start > end) return undefined;
  }
  return { rangeStart: formatIpv4(start), rangeEnd: formatIpv4(end) };
}

/** The settings PXE runs with now, from whichever configuration it started with. */
export function runningPxeSettings(config: PxeConfig): Partial<PxeSettings> {
  const server = config.address === undefined ? undefined : parseIpv4(config.address);
  const subnet = config.dhcp.subnets.find((n) => {
    const cidr = parseCidr(n.cidr);
    return cidr !== undefined && server !== undefined && prefixContains(cidr, server);
  });
  const pool = subnet?.pools[0];
  return {
    enabled: config.enabled,
    mode: config.dhcp.mode,
    ...(config.interface === undefined ? {} : { interface: config.interface }),
    ...(config.address === undefined ? {} : { address: config.address }),
    ...(subnet === undefined ? {} : { subnet: subnet.cidr }),
    ...(pool === undefined ? {} : { rangeStart: pool.start, rangeEnd: pool.end }),
  };
}

/** GET /api/settings/pxe */
export interface PxeSettingsResponse {
  /** What PXE runs with now. */
  running: Partial<PxeSettings>;
  /** Where that came from: settings saved in the UI, or the configuration file. */
  source: 'settings' | 'config';
  /** Settings saved in the UI, if any. */
  saved: (PxeSettings & { modifiedAt: Date }) | null;
  /** What the form offers when nothing is saved: the wizard's BCN and the interface carrying its address. */
  suggested: Partial<PxeSettings>;
}

/** GET /api/network/interfaces */
export interface HostInterfacesResponse {
  interfaces: HostInterface[];
}
