/**
 * The browser's one way to the Striker API: same origin, the HttpOnly session cookie, and the
 * session's CSRF token on every state-changing request. Errors come back as `ApiError` with the
 * API's stable code, every problem (path and message) and the request id the server logged.
 *
 * `request` only asks and answers; `api` (for actions) also leads an expired session to the
 * expired-session page; page loaders use `loadApi` (load.ts), which turns a failure into data.
 */
import { goto } from '$app/navigation';
import type { Problem } from '../../../striker/core/errors/index.js';
import type { ErrorBody } from '../../../striker/http/error-handler.js';
import { session } from './session.svelte';
import type { SessionInfo } from './api-types';

export type { Problem };

export class ApiError extends Error {
  constructor(
    /** The HTTP status; 0 when no answer came (network down, server gone). */
    readonly status: number,
    readonly code: string,
    message: string,
    readonly problems: Problem[],
    readonly requestId: string | null = null,
  ) {
    super(message);
  }
}

export type Fetch = typeof fetch;

/** The API's error body (error-handler.ts); `details.problems` comes with VALIDATION_FAILED. */
type ErrorAnswer = Partial<ErrorBody> & { error?: { details?: { problems?: Problem[] } } };

export async function request<T>(method: string, path: string, body?: unknown, fetcher: Fetch = fetch): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const csrf = session.info?.authenticated ? session.info.csrfToken : null;
  if (method !== 'GET' && csrf) headers['x-csrf-token'] = csrf;
  let res: Response;
  try {
    res = await fetcher(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), credentials: 'same-origin' });
  } catch (error) {
    throw new ApiError(0, 'UNREACHABLE', `the Striker did not answer ${method} ${path} (${error instanceof Error ? error.message : String(error)})`, []);
  }
  if (res.status === 204) return undefined as T;
  const data = (await res.json().catch(() => ({}))) as ErrorAnswer;
  if (!res.ok) {
    const e = data.error;
    if (!e) throw new ApiError(res.status, res.status >= 500 ? 'INTERNAL' : 'HTTP_ERROR', `${method} ${path} answered HTTP ${res.status} without an error body`, []);
    throw new ApiError(res.status, e.code, e.message, e.details?.problems ?? [], e.requestId ?? null);
  }
  return data as T;
}

/** `request`, and a session that expired meanwhile leads to the expired-session page. */
export async function api<T>(method: string, path: string, body?: unknown, fetcher: Fetch = fetch): Promise<T> {
  try {
    return await request<T>(method, path, body, fetcher);
  } catch (error) {
    if (error instanceof ApiError && error.code === 'SESSION_EXPIRED') {
      session.info = null;
      await goto('/session-expired');
    }
    throw error;
  }
}

/** Problems by field path, without the `body.` the API puts in front. */
export function problemsByField(error: unknown): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  if (!(error instanceof ApiError)) return out;
  for (const p of error.problems) {
    const field = p.path.replace(/^body\.?/, '');
    (out[field] ??= []).push(p.message);
  }
  return out;
}

/** The messages for one field: its own path and anything below it (`dns` takes `dns.1`). */
export function fieldErrors(problems: Record<string, string[]>, field: string): string[] {
  return Object.entries(problems)
    .filter(([path]) => path === field || path.startsWith(`${field}.`))
    .flatMap(([, messages]) => messages);
}

export function messageOf(error: unknown): string {
  if (error instanceof ApiError) return error.message.split('\n')[0] ?? error.message;
  return error instanceof Error ? error.message : String(error);
}

/**
 * After a live stream drops: if the session ended, go where the user can act on it (the
 * expired-session page, through `api`, or the login page); if the server is just away, do nothing
 * (the live feed tries again by itself).
 */
export async function checkSession(): Promise<void> {
  try {
    const s = await api<SessionInfo>('GET', '/api/session');
    if (!s.authenticated) {
      // Before the first admin exists nobody is logged in and the setup wizard is the place to be:
      // keep what the server says (setupRequired) instead of forgetting the session.
      session.info = s;
      if (!s.setupRequired) await goto('/login');
    }
  } catch {
    // The server or its database is away: the feed's next attempt asks again.
  }
}
