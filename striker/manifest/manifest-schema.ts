/**
 * The install manifest, version 1: one typed description of an Anvil! node pair and its optional
 * DR host — the pair's names, its networks, per-host addresses, links, IPMI and PDU outlets, the
 * site's fence devices and UPSes, and the cluster password. The same document is read from JSON
 * (API) and YAML (CLI, import/export).
 *
 * This file checks the shape of each field; relations between fields (an address inside its
 * subnet, a host bound to a registered machine, a fence method per node) are validate-manifest.ts.
 *
 * Secrets (the cluster password, BMC, PDU and UPS passwords) go in as a plaintext string, or as
 * `{ set: true }` meaning "keep the stored one", or `{ set: false }` meaning "none" (what export
 * writes for an optional secret that is not set, so an exported document applies again). They
 * come out only as `{ set: true | false }`.
 */
import { z } from 'zod';
import { cidrSchema, endsInNumericLabel, ipv4Schema, isIpv4 } from '../core/net/ipv4.js';
import { macSchema } from '../core/net/mac.js';

export const MANIFEST_VERSION = 1;

/** The four Anvil! network kinds: back-channel, storage, internet-facing, migration. */
export const networkKinds = ['bcn', 'sn', 'ifn', 'mn'] as const;
export type NetworkKind = (typeof networkKinds)[number];

/** A network's key in hosts' addresses and links: kind and index, `bcn1`, `sn2`. */
export const NETWORK_KEY = /^(bcn|sn|ifn|mn)([1-9])$/;
export function networkKey(network: { kind: NetworkKind; index: number }): string {
  return `${network.kind}${network.index}`;
}

/** The hosts of a manifest: the two subnodes and the optional DR host. */
export const hostKeys = ['node1', 'node2', 'dr'] as const;
export type HostKey = (typeof hostKeys)[number];

/** Upper bounds that keep a hostile document small; far above any real pair. */
export const manifestLimits = { networks: 16, fenceDevices: 32, upses: 32, parameters: 64, text: 255, dns: 3, ntp: 5 } as const;

const text = (what: string) => z.string().trim().min(1, `must not be empty (${what})`).max(manifestLimits.text, `must be at most ${manifestLimits.text} characters`);

/** A DNS name (RFC 1035 §2.3.1, RFC 1123 §2.1): labels of 1–63 letters, digits and dashes, 253 in all. */
const DNS_NAME = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/i;
const hostOrIp = z
  .string()
  .trim()
  .refine((s) => isIpv4(s) || (DNS_NAME.test(s) && !endsInNumericLabel(s)), 'must be a host name or IPv4 address like 10.201.4.1');

/** The name fence devices and UPSes are referenced by: a letter, then letters, digits, `-` or `_`. */
export const DEVICE_NAME = /^[a-z][a-z0-9_-]{0,62}$/i;
const deviceName = z.string().regex(DEVICE_NAME, 'must be a name like pdu1 (a letter, then letters, digits, - or _; up to 63)');

/** A fence agent by its program name, e.g. `fence_ipmilan`. */
export const FENCE_AGENT = /^fence_[a-z0-9_]{1,60}$/;

/** Parameter names that carry a password: refused among the plain parameters (they would be stored in clear). */
const SECRET_PARAMETERS = new Set(['password', 'passwd']);

/** Agent parameters: name → scalar value, as `pcs stonith create` passes them. */
const parameterName = /^[a-z][a-z0-9_-]{0,62}$/;
const parameters = z
  .record(z.string().regex(parameterName, 'must be a parameter name like ip or lanplus'), z.union([z.string().max(1024, 'must be at most 1024 characters'), z.number(), z.boolean()]))
  .refine((p) => Object.keys(p).length <= manifestLimits.parameters, `takes at most ${manifestLimits.parameters} parameters`)
  .superRefine((p, ctx) => {
    for (const key of Object.keys(p)) {
      if (SECRET_PARAMETERS.has(key)) ctx.addIssue({ code: 'custom', path: [key], message: 'is a secret: give it in the password field, which is sealed, not among the parameters' });
    }
  });

/** The longest password a secret field takes (all of a manifest's secrets are sealed in one envelope). */
export const MAX_SECRET_LENGTH = 256;

/** A secret on input: plaintext, `{ set: true }` (keep the stored one) or `{ set: false }` (none). */
export const secretInputSchema = z.union(
  [
    z.string().min(1, 'must not be empty').max(MAX_SECRET_LENGTH, `must be at most ${MAX_SECRET_LENGTH} characters`),
    z.strictObject({ set: z.boolean() }),
  ],
  { error: 'must be a password (text) or { set: true } to keep the stored one' },
);
export type SecretInput = z.output<typeof secretInputSchema>;

/** A secret on output: whether one is stored, never its value. */
export const secretStateSchema = z.strictObject({ set: z.boolean() });
export type SecretState = z.output<typeof secretStateSchema>;

function manifestShape<S extends z.ZodType>(secret: S) {
  const network = z.strictObject({
    kind: z.enum(networkKinds, { error: 'must be one of bcn, sn, ifn, mn' }),
    index: z.number({ error: 'must be a whole number from 1 to 9' }).int('must be a whole number from 1 to 9').min(1, 'must be a whole number from 1 to 9').max(9, 'must be a whole number from 1 to 9'),
    subnet: cidrSchema,
    gateway: ipv4Schema.optional(),
    mtu: z.number({ error: 'must be a whole number from 1280 to 9000' }).int('must be a whole number from 1280 to 9000').min(1280, 'must be at least 1280').max(9000, 'must be at most 9000').default(1500),
  });

  const link = z.strictObject({
    macs: z.array(macSchema).min(1, 'needs one MAC (a single NIC) or two (a bond)').max(2, 'takes one MAC (a single NIC) or two (a bond)'),
  });

  const networkRecord = <V extends z.ZodType>(value: V) =>
    z.record(z.string().regex(NETWORK_KEY, 'must be a network key like bcn1 (kind and index)'), value);

  const ipmi = z.strictObject({
    address: ipv4Schema,
    username: text('the BMC user'),
    password: secret,
    parameters: parameters.optional(),
  });

  const host = z.strictObject({
    machine: macSchema,
    addresses: networkRecord(ipv4Schema),
    links: networkRecord(link),
    ipmi: ipmi.optional(),
    pduOutlets: z.record(deviceName, z.string().trim().min(1, 'must name the outlet (plug)').max(64, 'must be at most 64 characters')).optional(),
  });

  const fenceDevice = z.strictObject({
    name: deviceName,
    agent: z.string().regex(FENCE_AGENT, 'must be a fence agent like fence_apc_snmp'),
    parameters: parameters.default({}),
    password: secret.optional(),
  });

  const ups = z.strictObject({
    name: deviceName,
    source: z.enum(['nut', 'snmp'], { error: 'must be nut or snmp' }),
    address: hostOrIp,
    /** The TCP port upsd (NUT) answers on; absent means NUT's 3493. */
    port: z.number({ error: 'must be a TCP port from 1 to 65535' }).int('must be a TCP port from 1 to 65535').min(1, 'must be a TCP port from 1 to 65535').max(65535, 'must be a TCP port from 1 to 65535').optional(),
    upsName: z.string().regex(/^[A-Za-z0-9_.-]{1,63}$/, 'must be the UPS name NUT knows, like ups1').optional(),
    username: text('the UPS user').optional(),
    password: secret.optional(),
    powers: z.array(z.enum(hostKeys, { error: 'must be node1, node2 or dr' })).min(1, 'must power at least one host').max(3, 'lists each host at most once'),
  });

  return z.strictObject({
    version: z.literal(MANIFEST_VERSION, { error: `must be ${MANIFEST_VERSION} (the manifest format version)` }),
    pair: z.strictObject({
      prefix: z.string().trim().toLowerCase().regex(/^[a-z]{1,5}$/, 'must be 1 to 5 letters, like an'),
      sequence: z.number({ error: 'must be a whole number from 1 to 99' }).int('must be a whole number from 1 to 99').min(1, 'must be a whole number from 1 to 99').max(99, 'must be a whole number from 1 to 99'),
      domain: z.string().trim().toLowerCase().regex(DNS_NAME, 'must be a domain like example.lan (letters, digits, dashes, dots)'),
      description: z.string().trim().max(1000, 'must be at most 1000 characters').optional(),
    }),
    networks: z.array(network).min(1, 'needs at least a BCN').max(manifestLimits.networks, `takes at most ${manifestLimits.networks} networks`),
    dns: z.array(ipv4Schema).max(manifestLimits.dns, 'takes at most three DNS servers (resolv.conf reads three)').default([]),
    ntp: z.array(hostOrIp).max(manifestLimits.ntp, 'takes at most five NTP servers').default([]),
    hosts: z.strictObject({ node1: host, node2: host, dr: host.optional() }),
    fenceDevices: z.array(fenceDevice).max(manifestLimits.fenceDevices, `takes at most ${manifestLimits.fenceDevices} fence devices`).default([]),
    upses: z.array(ups).max(manifestLimits.upses, `takes at most ${manifestLimits.upses} UPSes`).default([]),
    clusterPassword: secret,
  });
}

/** A manifest as it comes in (API body, YAML file): secrets as plaintext or `{ set }`. */
export const manifestSchema = manifestShape(secretInputSchema);
export type Manifest = z.output<typeof manifestSchema>;
export type ManifestInput = z.input<typeof manifestSchema>;

/** A manifest as Striker shows it (API answers, export): every secret only `{ set }`. */
export const manifestViewSchema = manifestShape(secretStateSchema);
export type ManifestView = z.output<typeof manifestViewSchema>;

export type Network = Manifest['networks'][number];
export type Host = Manifest['hosts']['node1'];
export type FenceDevice = Manifest['fenceDevices'][number];
export type Ups = Manifest['upses'][number];
export type HostLink = Host['links'][string];
export type FenceParameters = FenceDevice['parameters'];
