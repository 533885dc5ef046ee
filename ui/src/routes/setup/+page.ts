import type { PageLoad } from './$types';

interface IdentityResponse {
  configured: boolean;
  identity: Record<string, unknown> | null;
  defaults: Record<string, unknown>;
  manage: boolean;
}

/** Before the admin exists nothing else can be read; afterwards the wizard starts from the stored identity or the defaults. */
export const load: PageLoad = async ({ fetch, parent }) => {
  const { session } = await parent();
  if (!session.authenticated || session.user?.role !== 'admin') return { identity: null };
  const res = await fetch('/api/setup/identity', { headers: { accept: 'application/json' } });
  return { identity: res.ok ? ((await res.json()) as IdentityResponse) : null };
};
