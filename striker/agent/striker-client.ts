/**
 * The agent's HTTP client for the Strikers' API (undici). It holds an ordered list of Striker
 * URLs and sticks to the one that last answered. A Striker that does not answer — connection
 * refused or reset, a timeout, a 502/503/504 (a Striker shutting down or without its database) —
 * is left for the next in the list; when every one has failed in a row, the client waits with
 * exponential back-off before going round again. Any other answer, including a refusal (4xx), is
 * an answer: it comes back to the caller as an `AgentApiError` with Striker's code and message.
 */
import { Agent, request, type Dispatcher } from 'undici';
import type { Logger } from 'pino';
import { StrikerError, type ErrorCode, errorCodes } from '../core/errors/index.js';

export interface StrikerClientOptions {
  urls: readonly string[];
  /** The host's agent credential (replaced by `setCredential`). */
  credential: string;
  logger: Logger;
  /** Per-request limit when the caller gives none (ms). */
  requestTimeoutMs?: number;
  /** First and longest wait after every Striker failed (ms). */
  backoff?: { initialMs: number; maxMs: number };
  /** Called when the client moves to another Striker. */
  onSwitch?: (from: string, to: string) => void;
}

/** Striker answered with an error: its stable code, message and status. */
export class AgentApiError extends StrikerError {
  constructor(readonly status: number, code: ErrorCode, message: string, readonly url: string) {
    super(code, `${url}: ${message}`, { details: { status, url } });
  }
}

/** Every Striker failed and the call was abandoned (its signal aborted). */
export class NoStrikerError extends StrikerError {
  constructor(message: string) {
    super('DATABASE_UNAVAILABLE', message);
  }
}

const failoverStatuses = new Set([502, 503, 504]);

export interface CallOptions {
  timeoutMs?: number;
  signal?: AbortSignal;
}

export class StrikerClient {
  private index = 0;
  private readonly dispatcher: Dispatcher;
  private readonly timeoutMs: number;
  private readonly backoff: { initialMs: number; maxMs: number };

  private readonly o: StrikerClientOptions;

  constructor(options: StrikerClientOptions) {
    this.o = { ...options };
    const o = this.o;
    if (o.urls.length === 0) throw new TypeError('StrikerClient needs at least one Striker URL');
    this.timeoutMs = o.requestTimeoutMs ?? 10_000;
    this.backoff = o.backoff ?? { initialMs: 500, maxMs: 15_000 };
    this.dispatcher = new Agent({ connect: { timeout: Math.min(this.timeoutMs, 5000) }, keepAliveTimeout: 30_000, pipelining: 0 });
  }

  /** Uses another credential from now on (the host's credentials file was replaced after a rotation). */
  setCredential(credential: string): void {
    this.o.credential = credential;
  }

  /** The Striker the client talks to now. */
  get current(): string {
    return this.o.urls[this.index]!;
  }

  /**
   * POSTs (or GETs, with no body) `path` as JSON and returns the decoded answer; fails over and
   * backs off until a Striker answers or `signal` aborts.
   */
  async call<T>(method: 'GET' | 'POST', path: string, body: unknown, options: CallOptions = {}): Promise<T> {
    let failures = 0;
    let wait = this.backoff.initialMs;
    for (;;) {
      options.signal?.throwIfAborted();
      const url = this.current;
      try {
        return await this.once<T>(url, method, path, body, options);
      } catch (error) {
        if (options.signal?.aborted) throw options.signal.reason as Error;
        if (error instanceof AgentApiError) throw error;
        failures++;
        this.o.logger.warn({ peer: url, path, err: error }, 'Striker did not answer');
        this.moveOn();
        if (failures % this.o.urls.length === 0) {
          await sleep(wait, options.signal);
          wait = Math.min(this.backoff.maxMs, wait * 2);
        }
      }
    }
  }

  async close(): Promise<void> {
    await this.dispatcher.close();
  }

  private moveOn(): void {
    if (this.o.urls.length === 1) return;
    const from = this.current;
    this.index = (this.index + 1) % this.o.urls.length;
    this.o.logger.info({ peer: this.current, from }, 'switching to another Striker');
    this.o.onSwitch?.(from, this.current);
  }

  private async once<T>(base: string, method: 'GET' | 'POST', path: string, body: unknown, options: CallOptions): Promise<T> {
    const timeoutMs = options.timeoutMs ?? this.timeoutMs;
    const timeout = AbortSignal.timeout(timeoutMs);
    const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
    const res = await request(`${base}${path}`, {
      method,
      dispatcher: this.dispatcher,
      signal,
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
      headers: {
        authorization: `Bearer ${this.o.credential}`,
        accept: 'application/json',
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.body.text();
    if (failoverStatuses.has(res.statusCode)) throw new Error(`HTTP ${res.statusCode}`);
    if (res.statusCode >= 400) throw apiErrorOf(res.statusCode, text, base);
    if (res.statusCode === 204 || text === '') return undefined as T;
    return JSON.parse(text) as T;
  }
}

function apiErrorOf(status: number, text: string, url: string): AgentApiError {
  try {
    const e = (JSON.parse(text) as { error?: { code?: string; message?: string } }).error;
    if (e?.code !== undefined && Object.hasOwn(errorCodes, e.code)) return new AgentApiError(status, e.code as ErrorCode, e.message ?? '', url);
  } catch {
    // not JSON: fall through
  }
  return new AgentApiError(status, status === 401 ? 'UNAUTHENTICATED' : status === 403 ? 'FORBIDDEN' : 'INTERNAL', `HTTP ${status}: ${text.slice(0, 200)}`, url);
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason as Error);
      return;
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason as Error);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
