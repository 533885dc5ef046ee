/**
 * The one way a page loader reads the API: `loadApi` answers either the data or what went wrong
 * (code, message, request id, and which read it was), so a page shows a failed read as an error
 * with a retry — never as an empty list. A 401 is not a page's error: an expired session leads to
 * the expired-session page and a missing one to the login page, as everywhere else.
 */
import { redirect } from '@sveltejs/kit';
import { ApiError, request, type Fetch } from './api';
import { session } from './session.svelte';

export interface LoadError {
  /** What was being read, in words: `the jobs`, `machine 52:54:00:12:34:56`. */
  what: string;
  /** The HTTP status; 0 when no answer came. */
  status: number;
  code: string;
  message: string;
  requestId: string | null;
}

export type Loaded<T> = { ok: true; data: T } | { ok: false; error: LoadError };

/** The part of a SvelteKit load event `loadApi` uses. */
export interface LoadContext {
  fetch: Fetch;
  url: URL;
  /** The layouts' data: a page's reads wait for the root layout's answer to who is logged in. */
  parent?: () => Promise<unknown>;
}

export function loadErrorOf(error: unknown, what: string): LoadError {
  if (error instanceof ApiError) {
    return { what, status: error.status, code: error.code, message: error.message.split('\n')[0] ?? error.message, requestId: error.requestId };
  }
  return { what, status: 0, code: 'UNREACHABLE', message: error instanceof Error ? error.message : String(error), requestId: null };
}

/**
 * GET `path` with the load event's `fetch`. `options.redirect: false` answers a 401 as an error
 * instead of redirecting (the layout, on the login and expired-session pages themselves).
 */
export async function loadApi<T>(event: LoadContext, path: string, what: string, options: { redirect?: boolean } = {}): Promise<Loaded<T>> {
  // SvelteKit runs a page's load beside its layouts'. Reading before the root layout knows who is
  // logged in would send reads without a session (on a Striker that needs its setup wizard, or
  // after logout) whose late 401 answers would forget the session the layout has just stored,
  // after it led the browser on (to the wizard, which then lacks its admin step). The layout's
  // redirect, if any, is thrown here too, so such a page sends no read at all.
  await event.parent?.();
  try {
    return { ok: true, data: await request<T>('GET', path, undefined, event.fetch) };
  } catch (error) {
    if (error instanceof ApiError && error.status === 401 && options.redirect !== false) {
      session.info = null;
      if (error.code === 'SESSION_EXPIRED') redirect(307, '/session-expired');
      const here = event.url.pathname;
      redirect(307, `/login${here === '/' ? '' : `?next=${encodeURIComponent(here)}`}`);
    }
    return { ok: false, error: loadErrorOf(error, what) };
  }
}
