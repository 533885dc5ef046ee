/**
 * For responses that outlive their request (live streams): whether the credential that opened
 * the stream still holds — the session not deleted (logout, password change) or expired, the API
 * token not revoked or expired, the user not disabled. Access control identified the credential
 * when the request came in; the check looks it up again by id, reading only (no hashing, no
 * last-use write per check).
 */
import type { FastifyRequest } from 'fastify';
import type { Database } from '../db/database.js';
import { apiTokenHolds } from '../auth/api-token-store.js';
import { sessionHolds } from '../auth/session-store.js';

/** Resolves to true while the request's credential holds; false once it does not (or cannot be checked). */
export type CredentialCheck = () => Promise<boolean>;

export function credentialCheck(request: FastifyRequest, db: Database): CredentialCheck {
  const tokenId = request.apiToken?.id;
  const sessionId = request.session?.sessionId;
  return async () => {
    try {
      if (tokenId !== undefined) return await apiTokenHolds(db, tokenId);
      return sessionId !== undefined && (await sessionHolds(db, sessionId));
    } catch {
      return false; // the database away: the stream ends, the client reconnects and logs in
    }
  };
}
