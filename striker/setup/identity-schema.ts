/**
 * The Striker's identity as the first-run wizard collects it, in three steps (host, networks,
 * services), and its validation: every problem of a step at once, each with the path of its field
 * (`networks.bcn.subnet`). Field shapes come from zod; relations between fields (an address inside
 * its subnet, networks that must not overlap) are checked here too, for every field that parsed.
 */
import { z } from 'zod';
import type { Problem } from '../core/errors/index.js';
import { problemsFromZod } from '../core/validation/zod-problems.js';
import { macSchema, normalizeMac } from '../core/net/mac.js';
import { endsInNumericLabel, formatCidr, isHostAddress, isIpv4, parseCidr, parseInterfaceAddress, parseIpv4, prefixesOverlap, type Ipv4Prefix } from '../core/net/ipv4.js';

/** The four Anvil! networks: back-channel, storage, internet-facing, migration. */
export const networkNames = ['bcn', 'sn', 'ifn', 'mn'] as const;
export type NetworkName = (typeof networkNames)[number];

export const networkTitles: Record<NetworkName, string> = {
  bcn: 'Back-channel network (BCN)',
  sn: 'Storage network (SN)',
  ifn: 'Internet-facing network (IFN)',
  mn: 'Migration network (MN)',
};

/** A DNS name (RFC 1035 §2.3.1, with RFC 1123 §2.1 digits first allowed): labels of 1–63, 253 in all. */
const DNS_NAME = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/i;

const dnsName = (what: string) => z.string().trim().toLowerCase().regex(DNS_NAME, `must be a ${what} like example.com (letters, digits, dashes, dots)`);
/**
 * Wizard fields are trimmed like every other field of the form; what remains must pass the one
 * address rule of core/net/ipv4.ts. A subnet also needs room for hosts: lengths 1–30.
 */
const ipv4 = z.string().trim().refine(isIpv4, 'must be an IPv4 address like 10.201.4.1');
const cidr = z.string().trim().superRefine((s, ctx) => {
  if (usableSubnet(s) !== undefined) return;
  const typed = parseInterfaceAddress(s);
  const hint = typed !== undefined && typed.address !== typed.prefix.network ? `; the network is ${formatCidr(typed.prefix)}` : '';
  ctx.addIssue({ code: 'custom', message: `must be a subnet like 10.201.0.0/16 (host bits zero, length 1–30${hint})` });
});

function usableSubnet(text: string): Ipv4Prefix | undefined {
  const prefix = parseCidr(text);
  return prefix !== undefined && prefix.length >= 1 && prefix.length <= 30 ? prefix : undefined;
}

export const hostStepSchema = z.strictObject({
  prefix: z.string().trim().toLowerCase().regex(/^[a-z]{1,5}$/, 'must be 1 to 5 letters, like an'),
  sequence: z.coerce.number({ error: 'must be a whole number from 1 to 99' }).int('must be a whole number from 1 to 99').min(1, 'must be a whole number from 1 to 99').max(99, 'must be a whole number from 1 to 99'),
  // A single label (`localdomain`, `lan`) is not a domain other machines can resolve names under.
  domain: dnsName('domain').refine((d) => !DNS_NAME.test(d) || d.includes('.'), { message: 'must have at least two labels, like example.lan (a single word is not a domain)' }),
  hostName: dnsName('host name'),
});

/** The NICs (by MAC) that carry a network: one, or two bonded; none chosen leaves the links named by convention (`bcn1_link1`). */
const links = z.array(macSchema).max(2, 'takes one NIC, or two for a bond').optional();
const network = z.strictObject({ subnet: cidr, address: ipv4, links });
export const networksStepSchema = z.strictObject({
  networks: z.strictObject({
    bcn: network,
    sn: network,
    ifn: z.strictObject({ subnet: cidr, address: ipv4, gateway: ipv4, links }),
    mn: network,
  }),
});

export const servicesStepSchema = z.strictObject({
  dns: z.array(ipv4).min(1, 'needs at least one DNS server').max(3, 'takes at most three DNS servers (resolv.conf reads three)'),
  ntp: z.array(z.string().trim().refine((s) => isIpv4(s) || (DNS_NAME.test(s) && !endsInNumericLabel(s)), 'must be a host name or IPv4 address')).max(5, 'takes at most five NTP servers'),
  mtu: z.coerce.number({ error: 'must be a whole number from 1280 to 9000' }).int('must be a whole number from 1280 to 9000').min(1280, 'must be at least 1280').max(9000, 'must be at most 9000'),
});

export const identitySchema = z.strictObject({ ...hostStepSchema.shape, ...networksStepSchema.shape, ...servicesStepSchema.shape });
export type Identity = z.output<typeof identitySchema>;
export type IdentityInput = z.input<typeof identitySchema>;

export const identitySteps = {
  host: hostStepSchema,
  networks: networksStepSchema,
  services: servicesStepSchema,
} as const;
export type IdentityStep = keyof typeof identitySteps;
export const identityStepNames = Object.keys(identitySteps) as IdentityStep[];

export type Checked<T> = { ok: true; value: T } | { ok: false; problems: Problem[] };

/** Validates one wizard step: shape problems from zod plus the relations between its fields. */
export function checkStep<K extends IdentityStep>(step: K, input: unknown): Checked<z.output<(typeof identitySteps)[K]>> {
  const schema = identitySteps[step];
  const parsed = schema.safeParse(input);
  const problems = parsed.success ? [] : problemsFromZod(parsed.error, input);
  if (step === 'networks') problems.push(...networkRelations(input));
  if (problems.length > 0) return { ok: false, problems };
  return { ok: true, value: parsed.data as z.output<(typeof identitySteps)[K]> };
}

/** Validates the whole identity (every step), listing every problem. */
export function checkIdentity(input: unknown): Checked<Identity> {
  const problems: Problem[] = [];
  const source = typeof input === 'object' && input !== null ? (input as Record<string, unknown>) : {};
  const parsed = identitySchema.safeParse(input);
  if (!parsed.success) problems.push(...problemsFromZod(parsed.error, input));
  problems.push(...networkRelations(source));
  if (problems.length > 0 || !parsed.success) return { ok: false, problems };
  return { ok: true, value: parsed.data };
}

/**
 * Relations no single field shows: each address is a usable host address inside its own subnet,
 * the IFN gateway sits in the IFN subnet and is not the Striker itself, no two networks overlap
 * (a route would be ambiguous), and no NIC carries two networks. Checked only for fields that are well-formed on their own.
 */
function networkRelations(input: unknown): Problem[] {
  const networks = (input as { networks?: unknown } | null)?.networks;
  if (typeof networks !== 'object' || networks === null) return [];
  const problems: Problem[] = [];
  const prefixes: { name: NetworkName; prefix: Ipv4Prefix }[] = [];
  const usedBy = new Map<string, NetworkName>();
  for (const name of networkNames) {
    const net = (networks as Record<string, unknown>)[name] as Record<string, unknown> | undefined;
    if (typeof net !== 'object' || net === null) continue;
    if (Array.isArray(net.links)) {
      const macs = net.links.map((m) => (typeof m === 'string' ? normalizeMac(m) : undefined));
      macs.forEach((mac, i) => {
        if (mac === undefined) return;
        const owner = usedBy.get(mac);
        if (owner !== undefined) problems.push({ path: `networks.${name}.links.${i}`, message: `${mac} already carries the ${owner.toUpperCase()}; a NIC serves one network` });
        else usedBy.set(mac, name);
      });
    }
    const prefix = typeof net.subnet === 'string' ? usableSubnet(net.subnet.trim()) : undefined;
    const address = typeof net.address === 'string' ? parseIpv4(net.address.trim()) : undefined;
    if (prefix === undefined) continue;
    const clash = prefixes.find((p) => prefixesOverlap(p.prefix, prefix));
    if (clash) problems.push({ path: `networks.${name}.subnet`, message: `overlaps the ${clash.name.toUpperCase()} subnet ${String(((networks as Record<string, { subnet: string }>)[clash.name])!.subnet)}` });
    prefixes.push({ name, prefix });
    if (address !== undefined && !isHostAddress(prefix, address)) {
      problems.push({ path: `networks.${name}.address`, message: `must be a host address inside ${String(net.subnet)} — got '${String(net.address)}'` });
    }
    if (name === 'ifn' && typeof net.gateway === 'string') {
      const gateway = parseIpv4(net.gateway.trim());
      if (gateway !== undefined && !isHostAddress(prefix, gateway)) {
        problems.push({ path: 'networks.ifn.gateway', message: `must be inside the IFN subnet ${String(net.subnet)} — got '${net.gateway}'` });
      } else if (gateway !== undefined && gateway === address) {
        problems.push({ path: 'networks.ifn.gateway', message: 'must not be the Striker\'s own IFN address' });
      }
    }
  }
  return problems;
}
