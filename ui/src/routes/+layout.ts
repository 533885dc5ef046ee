/**
 * The UI renders in the browser and talks to the JSON API; the server only hands out the app.
 * Every page first asks who is logged in: a Striker with no admin yet leads to the setup wizard,
 * and a visitor who is not logged in to the login page. When that question itself fails (the
 * server or its database away), a session already known is kept so the page can show its own
 * error; with none known, the layout shows the failure with a retry.
 */
import { redirect } from '@sveltejs/kit';
import type { LayoutLoad } from './$types';
import type { Identity, SessionInfo } from '$lib/api-types';
import { loadApi, type LoadError } from '$lib/load';
import { session } from '$lib/session.svelte';

export const ssr = false;
export const prerender = false;

const OPEN_PAGES = ['/login', '/session-expired'];

export const load: LayoutLoad = async (event) => {
  event.depends('app:session');
  const path = event.url.pathname;
  const open = OPEN_PAGES.includes(path);
  const asked = await loadApi<SessionInfo>(event, '/api/session', 'who is logged in', { redirect: !open });
  // On the login and expired-session pages an expired cookie just means: not logged in.
  const expiredHere = !asked.ok && asked.error.status === 401;
  if (!asked.ok && !expiredHere) return { session: session.info, sessionError: asked.error as LoadError | null };
  const info: SessionInfo = asked.ok ? asked.data : { authenticated: false, setupRequired: false };
  session.info = info;
  if (info.setupRequired && path !== '/setup') redirect(307, '/setup');
  if (!info.setupRequired && !info.authenticated && !open) {
    redirect(307, `/login${path === '/' ? '' : `?next=${encodeURIComponent(path)}`}`);
  }
  // Admins are reminded to finish the wizard while the Striker has no identity (asked once per login).
  if (info.authenticated && info.user.role === 'admin' && session.identityConfigured !== true) {
    const identity = await loadApi<Identity>(event, '/api/setup/identity', 'this Striker’s identity');
    session.identityConfigured = identity.ok ? identity.data.configured : undefined;
  }
  return { session: info as SessionInfo | null, sessionError: null as LoadError | null };
};
