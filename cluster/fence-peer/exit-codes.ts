/**
 * The exit codes DRBD reads from a fence-peer handler. DRBD 9's drbd.conf(5) leaves them out; the
 * convention is the one DRBD's own handler documents (drbd-utils, scripts/crm-fence-peer.9.sh,
 * "drbd_fence_peer_exit_code") and DRBD 8.4's drbd.conf(5) lists under `fence-peer`:
 *
 *   3  the peer's disk is already Outdated or worse (Inconsistent)
 *   4  the peer was fenced: it can no longer be promoted with this data (our ban is in place)
 *   5  the peer could not be reached and is assumed dead
 *   6  the peer is primary (or likely has better data): outdate yourself
 *   7  the peer was STONITHed (powered off) and the ban is in place
 *
 * Any other code (we use 1) means the handler failed: DRBD keeps I/O frozen, which is the safe
 * state until an operator or a later handler run decides.
 */
export const drbdFenceExit = {
  peerAlreadyOutdated: 3,
  peerFenced: 4,
  peerUnreachable: 5,
  peerIsPrimary: 6,
  peerStonithed: 7,
  failed: 1,
} as const;

export type DrbdFenceExitCode = (typeof drbdFenceExit)[keyof typeof drbdFenceExit];
