import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { LoginThrottle } from '../auth/login-throttle.js';
import type { PasswordHasher } from '../auth/password-hasher.js';
import type { Database } from '../db/database.js';
import type { JobEvents } from '../events/job-events.js';
import type { LiveEvents } from '../events/live-events.js';
import type { HostJobKindTitle, JobCatalog } from '../jobs/job-kind.js';
import type { JobRunner } from '../jobs/job-runner.js';
import type { HostAllowList } from './host-allow-list.js';
import type { AgentCredentialCheck } from './access.js';

/** The settings the HTTP app reads (Striker's configuration fits). */
export interface HttpAppConfig {
  http: { bodyLimitBytes: number; secureCookies: boolean };
  auth: {
    sessionHours: number;
    /** IPv4 addresses or subnets (besides loopback) that may create the first admin. */
    setupAddresses: readonly string[];
  };
}

/** Everything the HTTP app needs, passed in (no globals), so tests build it with real parts. */
export interface AppDeps {
  db: Database;
  config: Readonly<HttpAppConfig>;
  logger: Logger;
  catalog: JobCatalog;
  throttle: LoginThrottle;
  /** Hashes and checks passwords, a bounded number at once. */
  hasher: PasswordHasher;
  /** Host names public state-changing requests may name; loopback only when not given. */
  hosts?: HostAllowList;
  /** Waits out a login slow-down before the password is checked (a timer when not given); tests record the delays instead. */
  loginDelay?: (ms: number) => Promise<void>;
  version: string;
  runner?: JobRunner;
  events?: JobEvents;
  /** The live channel (`GET /api/live`): changes announced on NOTIFY striker_live. */
  live?: LiveEvents;
  /** How often an idle live stream re-checks the credential that opened it (default 5000 ms). */
  liveStreamRecheckMs?: number;
  /** How often an idle `GET /api/live` stream sends a keep-alive comment (default 15000 ms). */
  liveKeepAliveMs?: number;
  /** Live streams one session or API token may hold open at once (default 8). */
  liveStreamsPerCredential?: number;
  /** What keeps Striker from doing all of its work (a missing agent package…), listed by GET /api/health. */
  problems?: () => readonly { source: string; message: string }[];
  /** Job kinds host agents run (the agent area's): listed by `/api/job-kinds` and titled in job views. */
  hostJobKinds?: readonly HostJobKindTitle[];
  /** Recognises host agents' credentials (the agent area); without it agent credentials are unknown tokens. */
  agentCredentials?: AgentCredentialCheck;
  /** More sections of GET /api/health from other areas (peers), each read on every call; a failing one reports its error. */
  healthSections?: Readonly<Record<string, () => Promise<unknown>>>;
  /** More routes from other areas (PXE, repos, UI), registered after the core ones. */
  plugins?: ((app: FastifyInstance) => Promise<void> | void)[];
}
