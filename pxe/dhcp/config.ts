/**
 * DHCP configuration: a strict zod schema with defaults, plus the checks zod cannot express
 * (CIDRs, pools inside subnets, overlapping subnets). `parseDhcpConfig` lists every problem.
 */
import { z } from 'zod';
import { ConfigError, type Problem } from '../../striker/core/errors/index.js';
import { firmwareTableSchema } from '../boot/firmware-table.js';
import { cidrProblem, ipv4Schema as ipv4, isHostAddress, parseCidr, parseIpv4, prefixContains, prefixesOverlap } from '../../striker/core/net/ipv4.js';
import { macSchema } from '../../striker/core/net/mac.js';

const customOptionSchema = z
  .strictObject({
    code: z.number().int().min(1).max(254),
    /** Exactly one of: */
    text: z.string().optional(),
    hex: z.string().regex(/^([0-9a-fA-F]{2})*$/, 'must be hex digits, two per byte').optional(),
    ips: z.array(ipv4).min(1).optional(),
  })
  .refine((o) => [o.text, o.hex, o.ips].filter((v) => v !== undefined).length === 1, { message: 'give exactly one of text, hex or ips' });

const poolSchema = z.strictObject({ start: ipv4, end: ipv4 });

const subnetSchema = z.strictObject({
  /** e.g. `10.201.0.0/16`. */
  cidr: z.string(),
  pools: z.array(poolSchema).default([]),
  router: ipv4.optional(),
  dns: z.array(ipv4).default([]),
  ntp: z.array(ipv4).default([]),
  domain: z.string().optional(),
  domainSearch: z.array(z.string().min(1)).default([]),
  /** Seconds; RFC 2131 §4.3.1 option 51. */
  leaseTime: z.number().int().min(60).max(0x7fffffff).default(3600),
  /** T1/T2 (options 58/59); default 50% and 87.5% of the lease time (RFC 2131 §4.4.5). */
  renewTime: z.number().int().min(1).optional(),
  rebindTime: z.number().int().min(1).optional(),
  options: z.array(customOptionSchema).default([]),
});

const reservationSchema = z.strictObject({
  /** Any spelling the MAC rule accepts; kept in canonical form (`52:54:00:12:34:56`). */
  mac: macSchema,
  ip: ipv4,
  hostname: z.string().optional(),
});

export const dhcpConfigSchema = z.strictObject({
  /** `full`: addresses and boot info; `proxy`: boot info only, beside another DHCP server (PXE spec 2.1 §2.2.2). */
  mode: z.enum(['full', 'proxy']).default('full'),
  /** Interfaces to answer on; nothing is answered elsewhere. Empty means the DHCP server does not start. */
  interfaces: z.array(z.string().min(1).max(15)).default([]),
  /** This server's address on the interface: the server identifier (option 54) and next-server (siaddr). */
  serverAddress: ipv4.default('0.0.0.0'),
  ports: z
    .strictObject({
      server: z.number().int().min(1).max(65535).default(67),
      client: z.number().int().min(1).max(65535).default(68),
      /** proxyDHCP boot server port (PXE spec 2.1 §2.2.2). */
      proxy: z.number().int().min(1).max(65535).default(4011),
    })
    .default({ server: 67, client: 68, proxy: 4011 }),
  /** `device`: SO_BINDTODEVICE through the native addon; `none`: only for a namespace with one interface (tests). */
  interfaceBinding: z.enum(['device', 'none']).default('device'),
  /** How long an OFFERed address is held for the client (RFC 2131 §4.3.1 "offer held briefly"). */
  offerHoldSeconds: z.number().int().min(1).max(3600).default(30),
  /** How long a DECLINEd address stays out of the pool (RFC 2131 §4.3.3). */
  declineQuarantineSeconds: z.number().int().min(1).default(3600),
  subnets: z.array(subnetSchema).default([]),
  reservations: z.array(reservationSchema).default([]),
  boot: firmwareTableSchema,
});

export type DhcpConfig = z.infer<typeof dhcpConfigSchema>;
export type DhcpConfigInput = z.input<typeof dhcpConfigSchema>;
export type SubnetConfig = z.infer<typeof subnetSchema>;

/** Parses and checks `input`; throws ConfigError listing every problem; the result is frozen. */
export function parseDhcpConfig(input: unknown, source = 'dhcp config'): DhcpConfig {
  const parsed = dhcpConfigSchema.safeParse(input);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message })),
      source,
    );
  }
  const problems = checkDhcpConfig(parsed.data);
  if (problems.length > 0) throw new ConfigError(problems, source);
  return Object.freeze(parsed.data);
}

/** The cross-field rules zod cannot express. */
export function checkDhcpConfig(config: DhcpConfig): Problem[] {
  const problems: Problem[] = [];
  const cidrs = config.subnets.map((subnet, i) => {
    const problem = cidrProblem(subnet.cidr);
    if (problem !== undefined) problems.push({ path: `subnets.${i}.cidr`, message: `${problem} — got '${subnet.cidr}'` });
    return parseCidr(subnet.cidr);
  });
  config.subnets.forEach((subnet, i) => {
    const cidr = cidrs[i];
    if (cidr === undefined) return;
    subnet.pools.forEach((pool, j) => {
      const start = parseIpv4(pool.start) ?? 0;
      const end = parseIpv4(pool.end) ?? 0;
      if (start > end) problems.push({ path: `subnets.${i}.pools.${j}`, message: `start ${pool.start} is after end ${pool.end}` });
      for (const [key, value, text] of [['start', start, pool.start], ['end', end, pool.end]] as const) {
        if (!prefixContains(cidr, value)) problems.push({ path: `subnets.${i}.pools.${j}.${key}`, message: `${text} is outside ${subnet.cidr}` });
        else if (!isHostAddress(cidr, value)) {
          problems.push({ path: `subnets.${i}.pools.${j}.${key}`, message: `${text} is the network or broadcast address of ${subnet.cidr}` });
        }
      }
    });
    if (subnet.router !== undefined && !prefixContains(cidr, parseIpv4(subnet.router) ?? 0)) {
      problems.push({ path: `subnets.${i}.router`, message: `${subnet.router} is outside ${subnet.cidr}` });
    }
    const leaseTime = subnet.leaseTime;
    const t1 = subnet.renewTime ?? Math.floor(leaseTime / 2);
    const t2 = subnet.rebindTime ?? Math.floor((leaseTime * 7) / 8);
    if (!(t1 < t2 && t2 < leaseTime)) problems.push({ path: `subnets.${i}`, message: `need renewTime < rebindTime < leaseTime — got ${t1}, ${t2}, ${leaseTime}` });
    for (let k = 0; k < i; k++) {
      const other = cidrs[k];
      if (other !== undefined && prefixesOverlap(other, cidr)) {
        problems.push({ path: `subnets.${i}.cidr`, message: `${subnet.cidr} overlaps subnets.${k} (${config.subnets[k]?.cidr})` });
      }
    }
  });
  const seenMacs = new Map<string, number>();
  config.reservations.forEach((r, i) => {
    const prior = seenMacs.get(r.mac);
    if (prior !== undefined) problems.push({ path: `reservations.${i}.mac`, message: `${r.mac} is already reserved in reservations.${prior}` });
    seenMacs.set(r.mac, i);
    const ip = parseIpv4(r.ip) ?? 0;
    if (!cidrs.some((c) => c !== undefined && prefixContains(c, ip))) problems.push({ path: `reservations.${i}.ip`, message: `${r.ip} is in no configured subnet` });
  });
  if (config.interfaces.length > 0 && config.serverAddress === '0.0.0.0') {
    problems.push({ path: 'serverAddress', message: 'must be set to this server\'s address on the DHCP interface when interfaces are configured' });
  }
  if (config.mode === 'full' && config.interfaces.length > 0) {
    const server = parseIpv4(config.serverAddress) ?? 0;
    if (!cidrs.some((c) => c !== undefined && prefixContains(c, server))) {
      problems.push({ path: 'serverAddress', message: `${config.serverAddress} is in no configured subnet; the local network needs a subnet entry` });
    }
  }
  return problems;
}
