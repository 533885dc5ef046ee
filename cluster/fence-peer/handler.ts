/**
 * The DRBD fence-peer and unfence-peer handler: reads what DRBD passes in its environment, looks
 * at DRBD (`drbdsetup status --json`) and pacemaker (`crm_mon --output-as=xml`), decides
 * (decide.ts), runs the ban or the power fence (ban-commands.ts) through the command adapter, and
 * returns the exit code DRBD expects (exit-codes.ts). Every step is logged in one line, so the
 * kernel log's "fence-peer helper returned N" can be matched to a reason.
 */
import { z } from 'zod';
import type { CommandRunner } from '../../striker/core/command/run-command.js';
import { parseCrmMon } from '../crm-mon-parser.js';
import { banCommands, powerFenceCommand, unbanCommands } from './ban-commands.js';
import { decideFencePeer, type DiskState, type FencePeerFacts, type PeerClusterState } from './decide.js';
import { drbdFenceExit } from './exit-codes.js';

export interface HandlerTarget {
  /** The DRBD resource; the pacemaker resource of the same name is the one banned. */
  resource: string;
  /** The peer's host name (its pacemaker node name). */
  peer: string;
}

/**
 * The resource and peer from DRBD's handler environment: DRBD_RESOURCE, and DRBD_PEER, or
 * DRBD_PEER_NODE_ID resolved through DRBD_NODE_ID_<id>. Throws naming what is missing.
 */
export function targetFromEnv(env: Readonly<Record<string, string | undefined>>): HandlerTarget {
  const resource = env['DRBD_RESOURCE'];
  if (resource === undefined || resource === '') throw new Error('DRBD_RESOURCE is not set: run this only as a DRBD handler');
  let peer = env['DRBD_PEER'];
  if (peer === undefined || peer === '') {
    const id = env['DRBD_PEER_NODE_ID'];
    peer = id === undefined ? undefined : env[`DRBD_NODE_ID_${id}`];
  }
  if (peer === undefined || peer === '') throw new Error('neither DRBD_PEER nor DRBD_PEER_NODE_ID with its DRBD_NODE_ID_<id> names the peer');
  return { resource, peer };
}

const drbdStatusSchema = z.array(z.looseObject({
  name: z.string(),
  devices: z.array(z.looseObject({ 'disk-state': z.string() })).default([]),
  connections: z.array(z.looseObject({
    name: z.string(),
    'peer-role': z.string().default('Unknown'),
    peer_devices: z.array(z.looseObject({ 'peer-disk-state': z.string() })).default([]),
  })).default([]),
}));

const diskRank: Record<string, number> = {
  Diskless: 0, Failed: 0, Attaching: 1, Detaching: 1, Negotiating: 1, Inconsistent: 2, Outdated: 3, DUnknown: 4, Consistent: 5, UpToDate: 6,
};
const rank = (s: string) => diskRank[s] ?? 0;

/** This node's disk (its worst volume) and the peer's disk (its best volume) and role, from `drbdsetup status <res> --json`. */
export function drbdFacts(json: string, target: HandlerTarget): Pick<FencePeerFacts, 'localDisk' | 'peerDisk' | 'peerRole'> {
  const parsed = drbdStatusSchema.safeParse(JSON.parse(json));
  if (!parsed.success) throw new Error(`drbdsetup status output is not what DRBD 9 prints: ${parsed.error.issues[0]?.message ?? ''}`);
  const res = parsed.data.find((r) => r.name === target.resource);
  if (res === undefined) throw new Error(`drbdsetup status does not list resource ${target.resource}`);
  const local = res.devices.map((d) => d['disk-state']).sort((a, b) => rank(a) - rank(b))[0] ?? 'Diskless';
  const conn = res.connections.find((c) => c.name === target.peer);
  const peerDisk = conn?.peer_devices.map((d) => d['peer-disk-state']).sort((a, b) => rank(b) - rank(a))[0] ?? 'DUnknown';
  const role = conn?.['peer-role'];
  return {
    localDisk: (local in diskRank ? local : 'Diskless') as DiskState,
    peerDisk: (peerDisk in diskRank ? peerDisk : 'DUnknown') as DiskState,
    peerRole: role === 'Primary' || role === 'Secondary' ? role : 'Unknown',
  };
}

/** The peer as pacemaker sees it from here; `unknown` when crm_mon fails or does not list it. */
export function peerClusterState(crmMonXml: string | undefined, peer: string): PeerClusterState {
  if (crmMonXml === undefined) return 'unknown';
  const node = parseCrmMon(crmMonXml).nodes.find((n) => n.name === peer);
  if (node === undefined) return 'unknown';
  if (node.unclean) return 'unclean';
  return node.online ? 'online' : 'offline';
}

export interface HandlerDeps {
  run: CommandRunner;
  log: (line: string) => void;
  /** Seconds the power fence may take: longer than every fencing level together. */
  fenceTimeoutSeconds: number;
}

export async function runFencePeer(mode: 'fence' | 'unfence', target: HandlerTarget, deps: HandlerDeps): Promise<number> {
  const run = async (argv: readonly string[], timeoutMs = 30_000) => deps.run(argv, { timeoutMs });
  try {
    if (mode === 'unfence') {
      for (const argv of unbanCommands(target.resource, target.peer)) await run(argv);
      deps.log(`unfence-peer ${target.resource}: lifted the ban on ${target.peer}`);
      return 0;
    }
    const drbd = drbdFacts((await run(['drbdsetup', 'status', target.resource, '--json'])).stdout, target);
    let crmMon: string | undefined;
    try {
      crmMon = (await run(['crm_mon', '--output-as=xml', '-1'])).stdout;
    } catch (error) {
      deps.log(`fence-peer ${target.resource}: crm_mon failed (${(error as Error).message}); the peer counts as not visible`);
    }
    const facts: FencePeerFacts = { ...drbd, peerInCluster: peerClusterState(crmMon, target.peer) };
    const decision = decideFencePeer(facts);
    deps.log(`fence-peer ${target.resource} peer ${target.peer}: ${JSON.stringify(facts)} → ${decision.action}, exit ${decision.exitCode}: ${decision.reason}`);
    if (decision.action === 'power-fence-then-ban') {
      await run(powerFenceCommand(target.peer, deps.fenceTimeoutSeconds), (deps.fenceTimeoutSeconds + 10) * 1000);
      deps.log(`fence-peer ${target.resource}: pacemaker powered ${target.peer} off`);
    }
    if (decision.action !== 'none') {
      for (const argv of banCommands(target.resource, target.peer)) await run(argv);
      deps.log(`fence-peer ${target.resource}: ${target.peer} banned from ${target.resource}`);
    }
    return decision.exitCode;
  } catch (error) {
    deps.log(`${mode}-peer ${target.resource} peer ${target.peer} failed, I/O stays frozen: ${(error as Error).message}`);
    return drbdFenceExit.failed;
  }
}
