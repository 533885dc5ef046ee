/**
 * Who is logged in, as the API says (GET /api/session). The CSRF token lives only in memory and
 * goes with every state-changing request; the session cookie itself is HttpOnly.
 */
export type Role = 'viewer' | 'operator' | 'admin';

export interface SessionInfo {
  authenticated: boolean;
  setupRequired: boolean;
  user?: { id: string; username: string; role: Role };
  csrfToken?: string | null;
  expiresAt?: string | null;
}

export const session = $state<{ info: SessionInfo | null; identityConfigured?: boolean }>({ info: null });

const rank: Record<Role, number> = { viewer: 0, operator: 1, admin: 2 };

/** True when the logged-in user has at least `needed`. */
export function can(needed: Role): boolean {
  const role = session.info?.user?.role;
  return role !== undefined && rank[role] >= rank[needed];
}
