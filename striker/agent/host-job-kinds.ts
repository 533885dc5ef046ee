/**
 * The job kinds an agent runs on its host: each kind's payload schema and retry policy, shared by
 * Striker (validated on enqueue) and the agent (validated again on claim, before anything runs).
 * Payloads are typed data; never a command line, and never a secret (a job that needs one fetches
 * it over the agent's authenticated API).
 *
 * `cluster.join` and `dr.link` are enqueued by a manifest run with their payloads validated here.
 * A kind with a `heldReason` is enqueued held: no agent runs it until a later feature releases it
 * (the reason is what the UI and the API show meanwhile). `cluster.join` (cluster/join/), the DR
 * host's kinds (`dr.*`, cluster/dr/), the server actions
 * (`servers.migrate`, `servers.stop`, `servers.start`), server provisioning and the `node.*` kinds
 * run on a node through runners the app injects (cluster/join/, cluster/actions/, cluster/servers/,
 * cluster/ops/node-runners.ts): an agent claims such a kind only when it was given its runner.
 */
import { z } from 'zod';
import { ipv4Schema } from '../core/net/ipv4.js';
import { macSchema } from '../core/net/mac.js';

const reason = z.string().max(200).optional();

/** A host name as the manifest makes them: lower-case DNS labels, like an-a01n01 or an-a01n01.example.lan. */
const hostName = z
  .string()
  .max(253)
  .regex(/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/, 'must be a host name like an-a01n01 (lower-case letters, digits, hyphens, dots)');

/** A network's key in the manifest: its kind and index, like bcn1, sn1, ifn2, mn1. */
export const networkKeySchema = z.string().regex(/^(bcn|sn|ifn|mn)[1-9][0-9]?$/, 'must be a network key like bcn1, sn1, ifn1 or mn1');

/** A host's address on each network, by network key. */
const addresses = z
  .record(networkKeySchema, ipv4Schema)
  .refine((a) => Object.keys(a).length > 0, 'must give an address on at least one network');

const hostNetwork = z.strictObject({
  key: networkKeySchema,
  address: ipv4Schema,
  prefixLength: z.number().int().min(1).max(32),
  /** The default route: on the IFN only. */
  gateway: ipv4Schema.optional(),
  mtu: z.number().int().min(576).max(9216),
  /** The NICs of the link, by MAC: one, or two forming an active-backup bond. */
  macs: z.array(macSchema).min(1).max(2),
});

const configureNetwork = z
  .strictObject({
    hostName,
    /** DNS servers and search domain, set on the network that has the gateway. */
    dns: z.array(ipv4Schema).max(8).default([]),
    domain: hostName.optional(),
    networks: z.array(hostNetwork).min(1).max(16),
  })
  .superRefine((p, ctx) => {
    const seenKeys = new Set<string>();
    const seenMacs = new Map<string, string>();
    p.networks.forEach((n, i) => {
      if (seenKeys.has(n.key)) ctx.addIssue({ code: 'custom', path: ['networks', i, 'key'], message: `network ${n.key} is listed twice` });
      seenKeys.add(n.key);
      if (n.gateway !== undefined && !n.key.startsWith('ifn')) ctx.addIssue({ code: 'custom', path: ['networks', i, 'gateway'], message: `only an IFN has a gateway — ${n.key} has ${n.gateway}` });
      n.macs.forEach((mac, j) => {
        const other = seenMacs.get(mac);
        if (other !== undefined) ctx.addIssue({ code: 'custom', path: ['networks', i, 'macs', j], message: `NIC ${mac} is already a link of ${other}` });
        seenMacs.set(mac, n.key);
      });
    });
    if (p.networks.filter((n) => n.gateway !== undefined).length > 1) ctx.addIssue({ code: 'custom', path: ['networks'], message: 'only one network may carry the default gateway' });
  });

const peer = z.strictObject({ hostName, addresses });

const clusterJoin = z.strictObject({
  /** The pair's name, like an-anvil-01. */
  anvilName: hostName,
  hostName,
  /** Which subnode of the pair this host is. */
  subnode: z.enum(['node1', 'node2']),
  addresses,
  /** The other subnode. */
  peer,
  /** The pair's DR host, when it has one. */
  dr: peer.optional(),
});

const drLink = z.strictObject({
  anvilName: hostName,
  hostName,
  addresses,
  /** The pair's two subnodes. */
  nodes: z.tuple([peer, peer]),
});

const drServer = z.string().regex(/^[A-Za-z][A-Za-z0-9_-]{0,47}$/, 'must be a server name like srv01-web');
const drStorage = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('lvm'), volumeGroup: z.string().regex(/^[A-Za-z0-9_][A-Za-z0-9_.+-]{0,126}$/, 'must be an LVM volume group name') }),
  z.strictObject({ kind: z.literal('file'), directory: z.string().regex(/^\/[A-Za-z0-9._+@:,=\/-]*$/, 'must be an absolute path') }),
]);

/**
 * Adding the DR host to a server's DRBD resource (cluster/dr/dr-protect-runner.ts), one job per
 * host of the three: each writes the resource file Striker rendered (pair + DR) and runs
 * `drbdadm adjust`; the DR host first makes the backing volume and the metadata (`volume`).
 * `dr.unprotect` writes the pair-only file on the subnodes and adjusts (the DR peer is dropped);
 * on the DR host it takes the resource down and removes its file and volume.
 */
const drProtect = z.strictObject({
  server: drServer,
  anvilName: hostName,
  role: z.enum(['node1', 'node2', 'dr']),
  /** This host's name in the resource file's `on` sections. */
  hostName,
  /** The file to write; absent on the DR host when unprotecting (its file is removed). */
  drbdResource: z.string().min(1).max(65_536).optional(),
  /** Run drbdadm with -d (print, do not act): hosts without the DRBD kernel module. */
  drbdDryRun: z.boolean(),
  /** DR host only: its backing volume (made when protecting, removed when unprotecting). */
  volume: z.strictObject({ diskGiB: z.number().int().min(1).max(65_536), storage: drStorage }).optional(),
});

/**
 * On the DR host during a boot-sync-shutdown cycle: read `drbdsetup status --json` until every
 * named resource is UpToDate here and connected to a subnode, or the time limit passes.
 */
const drSyncWait = z.strictObject({
  anvilName: hostName,
  resources: z.array(drServer).min(1).max(500),
  timeoutSeconds: z.number().int().min(1).max(7 * 86_400),
  pollSeconds: z.number().min(0.05).max(600).default(10),
});

/**
 * A server's share on one subnode (cluster/servers/provision-host.ts): the files are rendered by
 * Striker, so both subnodes get the same resource file and domain XML. `create` makes what is
 * missing, step by step, recording each step on the host; `remove` takes away what `create`
 * made there (a rolled-back provisioning).
 */
const serverProvision = z.strictObject({
  server: z.string().regex(/^[A-Za-z][A-Za-z0-9_-]{0,47}$/, 'must be a server name like srv01-web'),
  action: z.enum(['create', 'remove']),
  role: z.enum(['node1', 'node2']),
  /** This host's name in the resource file's `on` sections. */
  hostName,
  diskGiB: z.number().int().min(1).max(65_536),
  storage: z.discriminatedUnion('kind', [
    z.strictObject({ kind: z.literal('lvm'), volumeGroup: z.string().regex(/^[A-Za-z0-9_][A-Za-z0-9_.+-]{0,126}$/, 'must be an LVM volume group name') }),
    z.strictObject({ kind: z.literal('file'), directory: z.string().regex(/^\/[A-Za-z0-9._+@:,=\/-]*$/, 'must be an absolute path') }),
  ]),
  drbdResource: z.string().min(1).max(65_536),
  domainXml: z.string().min(1).max(262_144),
  /** Run drbdadm with -d (print, do not act): hosts without the DRBD kernel module. */
  drbdDryRun: z.boolean(),
  /**
   * node1 only: the pacemaker resource made once both subnodes are ready. `migrationHosts`: each
   * node's address on the migration network (the resource's `migration_hosts`).
   */
  pacemaker: z.strictObject({
    liveMigration: z.boolean(),
    preferredNode: hostName,
    migrationHosts: z.array(z.strictObject({ node: hostName, address: ipv4Schema })).max(3).default([]),
  }).optional(),
});

/** A file synced to hosts (cluster/files): fetched from a Striker, checked against its SHA-256, put in `directory`. */
const fileFetch = z.strictObject({
  fileId: z.uuid('must be the file\'s id (a UUID)'),
  name: z.string().max(128).regex(/^[A-Za-z0-9][A-Za-z0-9._+-]*$/, 'must be a file name (no paths)').refine((n) => !n.includes('..'), 'must not contain ..'),
  sizeBytes: z.number().int().min(1).max(1024 ** 4),
  sha256: z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 lower-case hex digits'),
  directory: z.string().max(1024).regex(/^\/[A-Za-z0-9._+@:,=\/-]*$/, 'must be an absolute path').refine((p) => !p.split('/').includes('..'), 'must not contain a .. step'),
});

export const hostJobPayloads = {
  'host.inventory': z.strictObject({}),
  'host.run-checks': z.strictObject({}),
  'host.reboot': z.strictObject({ reason }),
  'host.poweroff': z.strictObject({ reason }),
  'host.configure-network': configureNetwork,
  'cluster.join': clusterJoin,
  'dr.link': drLink,
  'dr.protect': drProtect,
  'dr.unprotect': drProtect,
  'dr.sync-wait': drSyncWait,
  'servers.migrate': z.strictObject({ servers: z.array(z.string().min(1).max(100)).min(1).max(500), to: hostName, reason }),
  'servers.stop': z.strictObject({ servers: z.array(z.string().min(1).max(100)).max(500), reason }),
  'servers.start': z.strictObject({ servers: z.array(z.string().min(1).max(100)).min(1).max(500), reason }),
  'node.withdraw': z.strictObject({ reason }),
  'server.provision': serverProvision,
  // A server's definition version (cluster/servers/define-host.ts): `virsh define` on the node.
  'server.define': z.strictObject({
    server: z.string().regex(/^[A-Za-z][A-Za-z0-9_-]{0,47}$/, 'must be a server name like srv01-web'),
    version: z.int().min(1),
    xml: z.string().min(1).max(256 * 1024),
    hash: z.string().regex(/^[0-9a-f]{64}$/),
    /** Definitions the node may hold now and that this one replaces (a settled conflict's two sides). */
    replaces: z.array(z.string().regex(/^[0-9a-f]{64}$/)).max(4).default([]),
  }),
  'node.standby': z.strictObject({ reason }),
  'node.unstandby': z.strictObject({ reason }),
  'node.join': z.strictObject({ reason }),
  'file.fetch': fileFetch,
} as const;

export type HostJobKind = keyof typeof hostJobPayloads;
export type HostJobPayload<K extends HostJobKind> = z.output<(typeof hostJobPayloads)[K]>;

export const hostJobKindNames = Object.keys(hostJobPayloads) as HostJobKind[];

export interface HostJobKindInfo {
  kind: HostJobKind;
  title: string;
  /** Attempts in all, including the first. */
  maxAttempts: number;
  /** When the agent running it stops heartbeating: run it again (if attempts remain) or fail it. */
  onStale: 'retry' | 'fail';
  /** Set: jobs of this kind are enqueued held, for this reason, until a later feature releases them. */
  heldReason?: string;
}

/** Power actions run at most once: an agent that vanished mid-reboot most likely rebooted. */
export const hostJobKinds: Readonly<Record<HostJobKind, HostJobKindInfo>> = {
  'host.inventory': { kind: 'host.inventory', title: 'Collect the host inventory', maxAttempts: 3, onStale: 'retry' },
  'host.run-checks': { kind: 'host.run-checks', title: 'Check which cluster tools the host has', maxAttempts: 3, onStale: 'retry' },
  'host.reboot': { kind: 'host.reboot', title: 'Reboot the host', maxAttempts: 1, onStale: 'fail' },
  'host.poweroff': { kind: 'host.poweroff', title: 'Power the host off', maxAttempts: 1, onStale: 'fail' },
  // Writing the same keyfiles again is harmless, so a run cut short is retried.
  'host.configure-network': { kind: 'host.configure-network', title: "Configure the host's networks", maxAttempts: 3, onStale: 'retry' },
  'cluster.join': { kind: 'cluster.join', title: 'Join the node pair', maxAttempts: 1, onStale: 'fail' },
  // The DR host's kinds (cluster/dr/, injected): writing the same files and adjusting again is harmless.
  'dr.link': { kind: 'dr.link', title: 'Link the DR host to its pair', maxAttempts: 2, onStale: 'retry' },
  'dr.protect': { kind: 'dr.protect', title: "Add the DR host to a server's DRBD resource", maxAttempts: 2, onStale: 'retry' },
  'dr.unprotect': { kind: 'dr.unprotect', title: "Remove the DR host from a server's DRBD resource", maxAttempts: 2, onStale: 'retry' },
  'dr.sync-wait': { kind: 'dr.sync-wait', title: "Wait until the DR host's copies are UpToDate", maxAttempts: 1, onStale: 'fail' },
  // Actions on the cluster (pacemaker): the server ones run through injected runners (cluster/actions/).
  'servers.migrate': { kind: 'servers.migrate', title: 'Live-migrate servers to the peer node', maxAttempts: 1, onStale: 'fail' },
  'servers.stop': { kind: 'servers.stop', title: 'Shut the servers down gracefully', maxAttempts: 1, onStale: 'fail' },
  // Starting through pacemaker again is harmless (a started resource stays started).
  'servers.start': { kind: 'servers.start', title: 'Start the servers through pacemaker', maxAttempts: 2, onStale: 'retry' },
  // Each step is recorded on the host, so a run cut short (the agent died) resumes where it stopped.
  'server.provision': { kind: 'server.provision', title: "Provision a server's volume, DRBD resource and domain on the node", maxAttempts: 2, onStale: 'retry' },
  // Defining the same version again is harmless.
  'server.define': { kind: 'server.define', title: "Define a server's definition version on the node", maxAttempts: 2, onStale: 'retry' },
  // Node actions (cluster/ops/node-runners.ts, injected): pcs on the node itself.
  'node.withdraw': { kind: 'node.withdraw', title: 'Withdraw the node from the cluster', maxAttempts: 1, onStale: 'fail' },
  'node.standby': { kind: 'node.standby', title: 'Put the node in standby', maxAttempts: 1, onStale: 'fail' },
  'node.unstandby': { kind: 'node.unstandby', title: 'Take the node out of standby', maxAttempts: 1, onStale: 'fail' },
  'node.join': { kind: 'node.join', title: 'Join the node to the cluster', maxAttempts: 1, onStale: 'fail' },
  // A fetch resumes from the bytes the host holds, so a run cut short is retried (cluster/files, injected).
  'file.fetch': { kind: 'file.fetch', title: 'Fetch a file from a Striker', maxAttempts: 3, onStale: 'retry' },
};

/**
 * Kinds whose runners live in later areas (cluster/) and are injected by the app: an agent claims
 * one only when it was given its runner, held or not.
 */
export const injectedHostJobKinds = [
  'cluster.join', 'dr.link', 'dr.protect', 'dr.unprotect', 'dr.sync-wait', 'servers.migrate', 'servers.stop', 'servers.start', 'server.provision', 'server.define',
  'node.withdraw', 'node.standby', 'node.unstandby', 'node.join', 'file.fetch',
] as const;

/** The kinds this agent runs itself (and so always claims). */
export type AgentRunKind = Exclude<HostJobKind, (typeof injectedHostJobKinds)[number]>;
export const agentRunKinds = hostJobKindNames.filter((k): k is AgentRunKind => hostJobKinds[k].heldReason === undefined && !(injectedHostJobKinds as readonly string[]).includes(k));

export function isHostJobKind(kind: string): kind is HostJobKind {
  return Object.hasOwn(hostJobPayloads, kind);
}
