/**
 * The UI renders in the browser and talks to the JSON API; the server only hands out the app.
 * Every page first asks who is logged in: a Striker with no admin yet leads to the setup wizard,
 * and a visitor who is not logged in to the login page.
 */
import { redirect } from '@sveltejs/kit';
import type { LayoutLoad } from './$types';
import { session, type SessionInfo } from '$lib/session.svelte';

export const ssr = false;
export const prerender = false;

const OPEN_PAGES = ['/login', '/session-expired'];

export const load: LayoutLoad = async ({ fetch, url, depends }) => {
  depends('app:session');
  const res = await fetch('/api/session', { headers: { accept: 'application/json' } });
  const info = (await res.json()) as SessionInfo;
  session.info = info;
  const path = url.pathname;
  if (info.setupRequired && path !== '/setup') redirect(307, '/setup');
  if (!info.setupRequired && !info.authenticated && !OPEN_PAGES.includes(path)) {
    redirect(307, `/login${path === '/' ? '' : `?next=${encodeURIComponent(path)}`}`);
  }
  // Admins are reminded to finish the wizard while the Striker has no identity (asked once per login).
  if (info.user?.role === 'admin' && session.identityConfigured !== true) {
    const r = await fetch('/api/setup/identity', { headers: { accept: 'application/json' } });
    session.identityConfigured = r.ok ? ((await r.json()) as { configured: boolean }).configured : undefined;
  }
  return { session: info };
};
