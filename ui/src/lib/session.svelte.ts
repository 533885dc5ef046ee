/**
 * Who is logged in, as the API says (GET /api/session). The CSRF token lives only in memory and
 * goes with every state-changing request; the session cookie itself is HttpOnly.
 */
import type { Role, SessionInfo } from './api-types';

export type { Role, SessionInfo };

export const session = $state<{ info: SessionInfo | null; identityConfigured?: boolean }>({ info: null });

const rank: Record<Role, number> = { viewer: 0, operator: 1, admin: 2 };

/** The logged-in user, if any. */
export function currentUser(): Extract<SessionInfo, { authenticated: true }>['user'] | undefined {
  return session.info?.authenticated ? session.info.user : undefined;
}

/** True when the logged-in user has at least `needed`. */
export function can(needed: Role): boolean {
  const role = currentUser()?.role;
  return role !== undefined && rank[role] >= rank[needed];
}
