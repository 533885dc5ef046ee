/**
 * What a node's agent tells Striker about its cluster with each scan (`cluster` in the scan
 * report): the pair's name (corosync's cluster_name), the node's name in the cluster, and four
 * sources read on the node, each either its reading or why it could not be read — crm_mon
 * (membership, resources, failed actions), `corosync-cfgtool -s` (this node's knet links),
 * `stonith_admin --history '*'` (the fencing history) and the fence devices (CIB + their last
 * test). The schema is shared by the agent that sends it and the route that validates it.
 */
import { z } from 'zod';
import { maxReportedMigrations, migrationRecordSchema } from '../servers/migration-log.js';

const name = z.string().min(1).max(253).regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'must be a name like an-a01n01');
const text = (max: number) => z.string().max(max);
const failure = z.strictObject({ error: text(2000) });
const reading = <T extends z.ZodType>(value: T) => z.union([z.strictObject({ value }), failure]);

const clusterNode = z.strictObject({
  name, id: text(20), online: z.boolean(), standby: z.boolean(), standbyOnFail: z.boolean(), maintenance: z.boolean(),
  pending: z.boolean(), unclean: z.boolean(), shutdown: z.boolean(), isDc: z.boolean(), resourcesRunning: z.number().int().min(0).max(100_000),
});

const resource = z.strictObject({
  id: text(200), agent: text(200), role: text(40), active: z.boolean(), failed: z.boolean(), managed: z.boolean(), blocked: z.boolean(),
  nodes: z.array(name).max(16), group: text(200).optional(), clone: text(200).optional(),
});

const failedAction = z.strictObject({
  opKey: text(400), node: name, task: text(40), exitCode: z.number().int(), exitStatus: text(200), exitReason: text(1000),
  interval: z.number().int().min(0), lastRcChange: text(100),
});

export const fenceEventSchema = z.strictObject({
  target: text(253), action: text(40), status: z.enum(['success', 'failed', 'pending']), origin: text(253), client: text(200),
  delegate: text(253).optional(), completed: text(100).optional(), exitReason: text(1000).optional(),
});

const clusterState = z.strictObject({
  dc: name.optional(), quorate: z.boolean().optional(), stonithEnabled: z.boolean(), maintenanceMode: z.boolean(),
  nodes: z.array(clusterNode).max(16), resources: z.array(resource).max(5000), failedActions: z.array(failedAction).max(1000),
  fenceHistory: z.array(fenceEventSchema).max(500),
});

const knetStatus = z.strictObject({
  localNodeId: z.number().int().min(0),
  transport: text(40),
  links: z.array(z.strictObject({
    linkId: z.number().int().min(0).max(7),
    address: text(100),
    peers: z.array(z.strictObject({ nodeId: z.number().int().min(0), status: text(40) })).max(32),
  })).max(8),
});

const fenceDevice = z.strictObject({
  id: text(200), agent: text(100), target: text(253).optional(), level: z.number().int().min(1).max(9).optional(),
  params: z.record(text(40), text(500)), runningOn: z.array(name).max(16),
  lastTest: z.strictObject({ task: text(40), node: text(253), ok: z.boolean(), rc: z.number().int(), rcText: text(200), at: text(100) }).optional(),
});

export const clusterReportSchema = z.strictObject({
  /** The pair's name: corosync's cluster_name. */
  anvil: name,
  /** This node's name in the cluster. */
  node: name,
  state: reading(clusterState),
  links: reading(knetStatus),
  fenceHistory: reading(z.array(fenceEventSchema).max(500)),
  fenceDevices: reading(z.array(fenceDevice).max(64)),
  /** The servers' migrations the resource agent recorded on this node (cluster/servers/migration-log.ts). */
  migrations: z.array(migrationRecordSchema).max(maxReportedMigrations).optional(),
});

export type ClusterReport = z.output<typeof clusterReportSchema>;
export type Reading<T> = { value: T } | { error: string };
