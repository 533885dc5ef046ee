/**
 * Peering wired for `striker serve` and the CLI: the site keyring under the data directory, the
 * registry of every encrypted column (each area with sealed columns adds its declaration here),
 * and the replication core's functions handed to the peers area.
 */
import type { Logger } from 'pino';
import { StrikerError } from '../core/errors/index.js';
import { encryptedColumnRegistry, siteKeys, type EncryptedColumnRegistry } from '../core/secrets/index.js';
import type { Database } from '../db/database.js';
import {
  ensurePublication,
  listConflicts,
  markConflictResolved,
  replicatedTables,
  replicationStatus,
  setSubscriptionEnabled,
  subscribeToPeer,
  unsubscribeFromPeer,
} from '../db/replication/index.js';
import { slotName } from '../db/replication/names.js';
import { peerSecrets, selfLink, type PeerReplication, type PeeringDeps } from '../peers/index.js';
import { manifestSecretsTable } from '../manifest/index.js';
import { alertSecrets } from '../../cluster/scancore/alerts/index.js';
import { pairKeysTable } from '../../cluster/join/index.js';
import type { StrikerConfig } from './config/schema.js';

/** Every table with sealed columns, for key rotation. */
export const encryptedColumns: EncryptedColumnRegistry = encryptedColumnRegistry([peerSecrets], [manifestSecretsTable, alertSecrets, pairKeysTable]);

export const peerReplication: PeerReplication = {
  ensurePublication: async (db) => {
    await ensurePublication(db);
  },
  subscribe: (db, a) => subscribeToPeer(db, { name: a.peer, connectionString: a.connectionString, copyData: a.copyData }),
  unsubscribe: async (db, peer) => {
    await unsubscribeFromPeer(db, peer);
  },
  status: (db) => replicationStatus(db, { probePeers: true, probeTimeoutMs: 3000 }),
  resume: (db, peer) => setSubscriptionEnabled(db, peer, true),
  slotName,
  conflicts: (db, options) => listConflicts(db, options),
  markResolved: markConflictResolved,
  replicatedTables: () => replicatedTables().map((t) => t.table),
};

/** This Striker's API URL when it can be told from the configuration alone (the CLI's case). */
export function configuredUrl(config: Readonly<StrikerConfig>): string | undefined {
  if (config.peers.address ?? config.http.publicUrl) return config.peers.address ?? config.http.publicUrl;
  if (config.http.port === 0) return undefined;
  const host = config.http.host === '0.0.0.0' || config.http.host === '::' ? '127.0.0.1' : config.http.host;
  return `http://${host.includes(':') ? `[${host}]` : host}:${config.http.port}/`;
}

/** The peers area's dependencies for a command that runs outside `striker serve`. */
export function peeringFor(config: Readonly<StrikerConfig>, db: Database, logger: Logger): PeeringDeps {
  const url = configuredUrl(config);
  return {
    db,
    keys: siteKeys(config.dataDir),
    registry: encryptedColumns,
    replication: peerReplication,
    self: () => {
      if (url === undefined) throw new StrikerError('CONFIG_INVALID', 'set peers.address (or http.publicUrl, or a fixed http.port) so peers can be told where this Striker is');
      return selfLink(db.url, url, config.peers, config.http.publicUrl);
    },
    timeoutMs: config.peers.requestTimeoutSeconds * 1000,
    logger: logger.child({ component: 'peers' }),
  };
}
