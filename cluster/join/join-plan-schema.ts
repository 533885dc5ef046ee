/**
 * What Striker hands a subnode's agent for its `cluster.join` job (`GET
 * /api/agent/cluster/join-plan/<jobId>`), and what the agent checks it against before it writes
 * anything: the node's role, the pair's node names, corosync.conf, the pair's authkey (base64) and,
 * for node1 only, the fencing CIB plan with its passwords resolved. It holds secrets: never in a
 * job payload, never logged, never written anywhere but /etc/corosync/authkey and the CIB.
 * Pure (zod only), so the agent's bundle can import it.
 */
import { z } from 'zod';
import { corosyncAuthkeyBytes } from '../corosync-plan.js';
import type { CibPlan } from '../cib-plan.js';

const nodeName = z.string().regex(/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/, 'must be a node name like an-a01n01');
const text = z.string().min(1).max(200);

const stonithDeviceSchema = z.strictObject({
  id: text,
  target: nodeName,
  kind: z.enum(['ipmi', 'pdu', 'delay']),
  agent: z.string().regex(/^fence_[a-z0-9_]+$/, 'must be a fence agent like fence_ipmilan'),
  params: z.record(z.string().regex(/^[a-z][a-z0-9_-]{0,62}$/), z.string().max(1000)),
  secretParams: z.array(text),
});

export const cibPlanSchema = z.strictObject({
  properties: z.record(text, text),
  devices: z.array(stonithDeviceSchema).max(32),
  levels: z.array(z.strictObject({ target: nodeName, index: z.int().min(1).max(9), devices: z.array(text).min(1) })).max(32),
  avoids: z.array(z.strictObject({ device: text, node: nodeName })).max(32),
});

export const joinPlanSchema = z.strictObject({
  anvilName: nodeName,
  /** node1 sets the pair up (it applies the CIB plan); node2 joins it. */
  role: z.enum(['node1', 'node2']),
  /** This node's name in corosync and pacemaker. */
  nodeName,
  /** Both subnodes, node1 first. */
  pairNodes: z.tuple([nodeName, nodeName]),
  corosyncConf: z.string().min(1).max(65_536),
  /** The pair's authkey, base64. */
  authkey: z.base64().refine((s) => Buffer.from(s, 'base64').length === corosyncAuthkeyBytes, `must be ${corosyncAuthkeyBytes} bytes`),
  /** node1's: the fencing configuration the pair should have. */
  cib: cibPlanSchema.optional(),
});

export type JoinPlan = Omit<z.output<typeof joinPlanSchema>, 'cib'> & { cib?: CibPlan };

/** Where the agent asks for it, under /api/agent/. */
export const joinPlanPath = (jobId: string): string => `cluster/join-plan/${jobId}`;
