/**
 * The agent area in `striker serve`: the agent API and the hosts API, the credential check access
 * control uses to recognise agents, and what registration calls once a host's one-time token is
 * consumed (a fresh credential; the answer is the host's agent-credentials.json).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { hashSecret } from '../auth/secret-token.js';
import type { Database, DbTx } from '../db/database.js';
import type { JobEvents } from '../events/job-events.js';
import type { AgentCredentialCheck } from '../http/access.js';
import { auditRefusal, auditRegistrationRefused, issueCredentialAtRegistration, type IssuedCredential } from './actions.js';
import { isAgentCredential } from './agent-credential-format.js';
import { agentRoutes } from './agent-routes.js';
import { findLiveCredential } from './credential-store.js';
import { CredentialWatch } from './credential-watch.js';
import { hostJobKinds, type HostJobKindInfo } from './host-job-kinds.js';
import { hostRoutes } from './host-routes.js';

export interface AgentAreaDeps {
  db: Database;
  logger: Logger;
  /** Largest inventory accepted, in bytes. */
  inventoryMaxBytes: number;
  /** How long a held claim trusts its credential's last check (seconds; 0: ask the database at every wake). */
  credentialCacheSeconds?: number;
}

export interface AgentArea {
  /** Routes; `events` wakes held job claims. */
  plugin(app: FastifyInstance, events: JobEvents | undefined): void;
  credentialCheck: AgentCredentialCheck;
  /** The host job kinds, for the job list's titles and `/api/job-kinds`. */
  hostJobKinds: readonly HostJobKindInfo[];
  /** For kickstart's registration: issues the host's credential in the transaction spending its token. */
  onRegistered(t: DbTx, hostId: string, peerIp: string): Promise<IssuedCredential & Record<string, unknown>>;
  /** For kickstart's registration route: the audit row of a refused registration. */
  onRegistrationRefused(hostId: string, peerIp: string, reason: string): Promise<void>;
}

export function agentArea(deps: AgentAreaDeps): AgentArea {
  const log = deps.logger.child({ component: 'agent' });
  const credentialCheck: AgentCredentialCheck = {
    recognizes: isAgentCredential,
    resolve: (secret) => findLiveCredential(deps.db, hashSecret(secret)),
    refused: async (request: FastifyRequest, refusal, principal) => {
      log.warn({ hostId: principal?.hostId, refusal, peer: request.ip, route: request.routeOptions.url }, 'agent credential refused');
      await auditRefusal(deps.db, principal ?? { hostId: null }, refusal, { route: request.routeOptions.url ?? '', peer: request.ip }, request.id);
    },
  };
  return {
    plugin: (app, events) => {
      const credentials = new CredentialWatch(deps.db, log, (deps.credentialCacheSeconds ?? 5) * 1000);
      // Only held claims use the watch, and claims are held only with job events.
      if (events !== undefined) {
        app.addHook('onReady', async () => credentials.startInBackground());
        app.addHook('onClose', async () => credentials.close());
      }
      agentRoutes(app, { db: deps.db, events, credentials, logger: deps.logger, inventoryMaxBytes: deps.inventoryMaxBytes });
      hostRoutes(app, { db: deps.db });
    },
    credentialCheck,
    hostJobKinds: Object.values(hostJobKinds),
    onRegistered: async (t, hostId, peerIp) => {
      const issued = await issueCredentialAtRegistration(t, hostId, peerIp);
      log.info({ hostId, peer: peerIp, credentialId: issued.credentialId }, 'agent credential issued at registration');
      return { ...issued };
    },
    onRegistrationRefused: (hostId, peerIp, reason) => auditRegistrationRefused(deps.db, hostId, peerIp, reason),
  };
}
