/**
 * What the cluster plans need to know about a node pair, and nothing more: the pair's name, each
 * subnode's name and addresses per network kind, its fence methods, and which subnode the
 * servers prefer. The manifest's plan maps onto this shape (a small pure function in the app
 * layer); the plans never read the manifest directly, so they can be tested with plain data.
 *
 * Passwords are never carried here: a fence method names its secret (`passwordRef`) and the
 * caller resolves it when the CIB is planned (`SecretLookup`), so the input can be logged.
 */
import { z } from 'zod';
import { ipv4Schema } from '../striker/core/net/ipv4.js';
import { parseOrThrow } from '../striker/core/validation/zod-problems.js';

/** A node or cluster name as corosync and pacemaker accept it: a DNS label, at most 63 characters. */
const nameSchema = z.string().regex(/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/, 'must be a host name like an-a01n01 (lower-case letters, digits, inner hyphens)');
const secretRefSchema = z.string().min(1, 'must name a stored secret');
const paramKeySchema = z.string().regex(/^[a-z][a-z0-9_-]{0,62}$/, 'must be a fence agent parameter name like ip or community');
/** A fence device's name as the manifest gives it: a letter, then letters, digits, `-` or `_`. */
const deviceNameSchema = z.string().regex(/^[a-z][a-z0-9_-]{0,62}$/i, 'must be a name like pdu1 (a letter, then letters, digits, - or _)');

export const networkKinds = ['bcn', 'sn', 'ifn', 'mn'] as const;
export type NetworkKind = (typeof networkKinds)[number];

/** The node's BMC, fenced through `fence_ipmilan` (IPMI 2.0 lanplus). */
export const ipmiMethodSchema = z.strictObject({
  address: ipv4Schema,
  /** UDP port of the BMC's RMCP+ service; 623 when absent. */
  port: z.int().min(1).max(65535).optional(),
  username: z.string().min(1),
  passwordRef: secretRefSchema,
  /** Cipher suite (`ipmitool -C`); 3 (AES-128, HMAC-SHA1) when absent. */
  cipher: z.int().min(0).max(17).optional(),
});

/** One outlet on one PDU that feeds this node. */
export const pduOutletSchema = z.strictObject({
  /** The fence device's name in the manifest (unique in the pair); becomes part of the stonith id. */
  device: deviceNameSchema,
  /** A fence agent such as `fence_apc_snmp`. */
  agent: z.string().regex(/^fence_[a-z0-9_]+$/, 'must be a fence agent like fence_apc_snmp'),
  /** The agent's parameters except the plug and the password (ip, username, community…). */
  params: z.record(paramKeySchema, z.string()).default({}),
  passwordRef: secretRefSchema.optional(),
  plug: z.string().min(1),
});

/**
 * One PDU fencing level: the outlets switched together. A node with redundant power supplies on
 * two PDUs lists both outlets here, since cutting only one leaves the node running.
 */
export const pduLevelSchema = z.strictObject({ outlets: z.array(pduOutletSchema).min(1).max(4) });

export const fenceMethodsSchema = z.strictObject({
  ipmi: ipmiMethodSchema.optional(),
  pdus: z.array(pduLevelSchema).max(4).default([]),
  /**
   * Seconds the last level waits before it reports failure, so a BMC that lost power with its
   * node has booted again before pacemaker retries the first level. Absent: no delay level.
   */
  delaySeconds: z.int().min(1).max(600).optional(),
});

export const pairNodeSchema = z.strictObject({
  name: nameSchema,
  addresses: z.strictObject({ bcn: ipv4Schema, sn: ipv4Schema.optional(), ifn: ipv4Schema.optional(), mn: ipv4Schema.optional() }),
  fence: fenceMethodsSchema,
});

export const pairPlanInputSchema = z
  .strictObject({
    /** The pair's name (the anvil name, e.g. an-anvil-01): corosync's cluster_name. */
    clusterName: nameSchema,
    nodes: z.tuple([pairNodeSchema, pairNodeSchema]),
    /** The subnode the servers run on: it survives a split (see cib-plan.ts). */
    preferredNode: nameSchema,
  })
  .superRefine((input, ctx) => {
    const [a, b] = input.nodes;
    if (a.name === b.name) ctx.addIssue({ code: 'custom', path: ['nodes', 1, 'name'], message: `must differ from nodes.0.name — both are '${a.name}'` });
    if (input.preferredNode !== a.name && input.preferredNode !== b.name) {
      ctx.addIssue({ code: 'custom', path: ['preferredNode'], message: `must be one of the pair's nodes (${a.name}, ${b.name})` });
    }
    input.nodes.forEach((node, i) => {
      const f = node.fence;
      if (f.ipmi === undefined && f.pdus.length === 0) {
        ctx.addIssue({ code: 'custom', path: ['nodes', i, 'fence'], message: 'needs at least one power fence method (ipmi or a pdu); a delay alone fences nothing' });
      }
    });
    for (const kind of networkKinds) {
      const [x, y] = [a.addresses[kind], b.addresses[kind]];
      if ((x === undefined) !== (y === undefined)) {
        const missing = x === undefined ? 0 : 1;
        ctx.addIssue({ code: 'custom', path: ['nodes', missing, 'addresses', kind], message: `is required because the other node has a ${kind} address` });
      } else if (x !== undefined && x === y) {
        ctx.addIssue({ code: 'custom', path: ['nodes', 1, 'addresses', kind], message: `must differ from nodes.0.addresses.${kind} — both are ${x}` });
      }
    }
  });

export type PairPlanInput = z.output<typeof pairPlanInputSchema>;
export type PairNode = PairPlanInput['nodes'][number];
export type IpmiMethod = z.output<typeof ipmiMethodSchema>;
export type PduOutlet = z.output<typeof pduOutletSchema>;
export type FenceMethods = z.output<typeof fenceMethodsSchema>;

/** Checks a pair input, or throws ValidationError naming every problem by its path. */
export function parsePairPlanInput(input: unknown): PairPlanInput {
  return parseOrThrow(pairPlanInputSchema, input, 'pair plan input');
}

/** Resolves a secret reference to its plaintext; throws when the secret is unknown. */
export type SecretLookup = (ref: string) => string;
