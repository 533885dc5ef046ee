/**
 * The Strikers page's live view of what no row holds: a peer's state as replication reports it
 * (connected, lag, last error), sampled by a LiveSampler and announced on the `strikers` topic
 * when it changes, so the page reads again only then. Lag counts as changed when it changes as
 * the page shows it: seconds whole, bytes to two significant figures (1.2 MB, 340 kB).
 */
import type { Logger } from 'pino';
import type { Database } from '../db/database.js';
import { LiveSampler } from '../events/live-sampler.js';
import { peersOverview, type PeeringDeps, type PeerView } from '../peers/index.js';

export const PEER_STATUS_SAMPLE_MS = 5_000;

/** What the Strikers page shows of each peer that may change without a row changing, by peer name. */
export function peerStatusSample(peers: readonly PeerView[]): Map<string, string> {
  return new Map(
    peers.map((p) => [
      p.name,
      JSON.stringify([
        p.state,
        p.connected,
        p.lastError,
        p.unresolvedConflicts,
        p.lagBytes === null ? null : Number(p.lagBytes.toPrecision(2)),
        p.lagSeconds === null ? null : Math.round(p.lagSeconds),
      ]),
    ]),
  );
}

export function peerStatusSampler(deps: Pick<PeeringDeps, 'db' | 'keys' | 'replication' | 'self'>, db: Database, logger: Logger, intervalMs = PEER_STATUS_SAMPLE_MS): LiveSampler {
  return new LiveSampler({
    db,
    logger,
    topic: 'strikers',
    intervalMs,
    sample: async () => peerStatusSample((await peersOverview(deps)).peers),
  });
}
