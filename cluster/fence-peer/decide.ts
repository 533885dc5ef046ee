/**
 * What the DRBD fence-peer handler does, decided from what it can see: our disk state, the
 * peer's disk state and role as DRBD last knew them, and the peer's state in pacemaker.
 * Resource-level fencing (a ban through pacemaker) comes first; power fencing only when the peer
 * is neither answering in the cluster nor known to be down. Pure: the handler (handler.ts)
 * gathers the facts, runs what this returns and turns the outcome into DRBD's exit code.
 */
import { drbdFenceExit, type DrbdFenceExitCode } from './exit-codes.js';

/** DRBD 9 disk states (drbdsetup status), plus DUnknown for a peer we cannot see. */
export type DiskState = 'Diskless' | 'Attaching' | 'Detaching' | 'Failed' | 'Negotiating' | 'Inconsistent' | 'Outdated' | 'DUnknown' | 'Consistent' | 'UpToDate';

/** The peer as pacemaker sees it from this node. `unknown`: pacemaker did not answer here. */
export type PeerClusterState = 'online' | 'offline' | 'unclean' | 'unknown';

export interface FencePeerFacts {
  localDisk: DiskState;
  peerDisk: DiskState;
  peerRole: 'Primary' | 'Secondary' | 'Unknown';
  peerInCluster: PeerClusterState;
}

export type FencePeerDecision =
  | { action: 'none'; exitCode: DrbdFenceExitCode; reason: string }
  | { action: 'ban'; exitCode: DrbdFenceExitCode; reason: string }
  /** Power the peer off through pacemaker; on success ban it and exit `exitCode`, else exit failed. */
  | { action: 'power-fence-then-ban'; exitCode: DrbdFenceExitCode; reason: string };

export function decideFencePeer(f: FencePeerFacts): FencePeerDecision {
  if (f.peerDisk === 'Outdated' || f.peerDisk === 'Inconsistent' || f.peerDisk === 'Failed') {
    return { action: 'none', exitCode: drbdFenceExit.peerAlreadyOutdated, reason: `the peer's disk is already ${f.peerDisk}` };
  }
  if (f.peerRole === 'Primary') {
    return { action: 'none', exitCode: drbdFenceExit.peerIsPrimary, reason: 'the peer is primary: this node must not take over its data' };
  }
  if (f.localDisk !== 'UpToDate' && f.localDisk !== 'Consistent') {
    return { action: 'none', exitCode: drbdFenceExit.failed, reason: `this node's disk is ${f.localDisk}: banning the peer would leave no good copy running` };
  }
  switch (f.peerInCluster) {
    case 'online':
      return { action: 'ban', exitCode: drbdFenceExit.peerFenced, reason: 'the peer is online in the cluster: banned from the resource' };
    case 'offline':
      return { action: 'ban', exitCode: drbdFenceExit.peerStonithed, reason: 'the peer is cleanly down in the cluster (fenced or stopped): banned from the resource' };
    case 'unclean':
    case 'unknown':
      if (f.localDisk !== 'UpToDate') {
        return { action: 'none', exitCode: drbdFenceExit.failed, reason: `the peer does not answer and this node's disk is only ${f.localDisk}: not shooting the peer for data that may be older` };
      }
      return { action: 'power-fence-then-ban', exitCode: drbdFenceExit.peerStonithed, reason: `the peer is ${f.peerInCluster === 'unclean' ? 'unclean' : 'not visible'} in the cluster: power it off, then ban it` };
  }
}
