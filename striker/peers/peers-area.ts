/**
 * The peers area as `striker serve` carries it: its routes, its section of /api/health, and this
 * Striker's address once it listens (peers are told it when they are added).
 */
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { EncryptedColumnRegistry, SiteKeys } from '../core/secrets/index.js';
import type { Database } from '../db/database.js';
import type { PeeringDeps } from './actions.js';
import { selfLink } from './peer-link.js';
import type { PeerReplication } from './peer-replication.js';
import { peerRoutes } from './peer-routes.js';
import { peersOverview } from './peers-overview.js';
import type { PeersConfig } from './peers-config.js';

export interface PeersArea {
  deps: PeeringDeps;
  plugin(app: FastifyInstance): void;
  /** GET /api/health's `peers` section. */
  health(): Promise<unknown>;
  /** Tells the area the URL `striker serve` listens on. */
  listening(url: string): void;
}

export function peersArea(args: {
  db: Database;
  keys: SiteKeys;
  registry: EncryptedColumnRegistry;
  replication: PeerReplication;
  config: PeersConfig;
  publicUrl: string | undefined;
  /** The URL known before listening (from the configured port), if any. */
  url?: string;
  logger: Logger;
}): PeersArea {
  let url = args.url;
  // The site key is made when a Striker first starts, not when a secret is first sealed.
  args.keys.keyring();
  const deps: PeeringDeps = {
    db: args.db,
    keys: args.keys,
    registry: args.registry,
    replication: args.replication,
    self: () => selfLink(args.db.url, url ?? 'http://127.0.0.1/', args.config, args.publicUrl),
    timeoutMs: args.config.requestTimeoutSeconds * 1000,
    logger: args.logger,
  };
  return {
    deps,
    plugin: (app) => peerRoutes(app, deps),
    async health() {
      const o = await peersOverview(deps);
      return {
        node: o.self.name,
        unresolvedConflicts: o.unresolvedConflicts,
        peers: o.peers.map((p) => ({ name: p.name, state: p.state, connected: p.connected, lagBytes: p.lagBytes, lagSeconds: p.lagSeconds, lastError: p.lastError, unresolvedConflicts: p.unresolvedConflicts })),
      };
    },
    listening(u) {
      url = u;
    },
  };
}
