/**
 * The browser's one way to the Striker API: same origin, the HttpOnly session cookie, and the
 * session's CSRF token on every state-changing request. Errors come back as `ApiError` with the
 * API's stable code and every problem (path and message).
 */
import { goto } from '$app/navigation';
import { session } from './session.svelte';

export interface Problem {
  path: string;
  message: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly problems: Problem[],
  ) {
    super(message);
  }
}

type Fetch = typeof fetch;

export async function api<T>(method: string, path: string, body?: unknown, fetcher: Fetch = fetch): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const csrf = session.info?.csrfToken;
  if (method !== 'GET' && csrf) headers['x-csrf-token'] = csrf;
  const res = await fetcher(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), credentials: 'same-origin' });
  if (res.status === 204) return undefined as T;
  const data = (await res.json().catch(() => ({}))) as { error?: { code: string; message: string; details?: { problems?: Problem[] } } };
  if (!res.ok) {
    const e = data.error ?? { code: 'INTERNAL', message: `HTTP ${res.status}` };
    if (e.code === 'SESSION_EXPIRED') {
      session.info = null;
      await goto('/session-expired');
    }
    throw new ApiError(res.status, e.code, e.message, e.details?.problems ?? []);
  }
  return data as T;
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
 * expired-session page, through `api`, or the login page); if the server is just away, do nothing.
 */
export async function checkSession(): Promise<void> {
  try {
    const s = await api<{ authenticated: boolean }>('GET', '/api/session');
    if (!s.authenticated) {
      session.info = null;
      await goto('/login');
    }
  } catch {
    // unreachable for now: EventSource retries by itself
  }
}
