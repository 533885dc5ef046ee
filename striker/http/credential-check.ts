/**
 * For responses that outlive their request (live streams): whether the credential that opened
 * the stream still holds — the session not deleted (logout, password change) or expired, the API
 * token not revoked or expired, the user not disabled. The check looks the credential up again
 * exactly as access control did when the request came in.
 */
import type { FastifyRequest } from 'fastify';
import type { Database } from '../db/database.js';
import { resolveApiToken } from '../auth/api-token-store.js';
import { resolveSession } from '../auth/session-store.js';
import { SESSION_COOKIE } from './access.js';

/** Resolves to true while the request's credential holds; false once it does not (or cannot be checked). */
export type CredentialCheck = () => Promise<boolean>;

export function credentialCheck(request: FastifyRequest, db: Database): CredentialCheck {
  const bearer = /^Bearer\s+(\S{10,200})$/i.exec(request.headers.authorization ?? '')?.[1];
  const cookie = request.cookies[SESSION_COOKIE];
  const sessionId = request.session?.sessionId;
  return async () => {
    try {
      if (bearer !== undefined && request.session === null) return (await resolveApiToken(db, bearer)) !== undefined;
      if (cookie === undefined || sessionId === undefined) return false;
      return (await resolveSession(db, cookie))?.sessionId === sessionId;
    } catch {
      return false; // expired (SESSION_EXPIRED) or the database away: the stream ends, the client reconnects and logs in
    }
  };
}
