/**
 * An upstream repo over HTTP(S) (`baseurl`), on undici. A repo is thousands of small GETs, so files
 * small enough to verify in memory go over pipelined keep-alive connections (RFC 9112 §9.3.2,
 * `pipelineDepth` requests in flight per connection) through a lean dispatch handler that gathers the
 * body in memory; larger files stream to disk over connections of their own, so a big body never
 * holds up the small requests queued behind it. Each dispatcher keeps at most `maxSockets`
 * connections per origin; the pipelined ones send a turn's request heads in one write
 * (`coalescingConnector`).
 *
 * GET is idempotent (RFC 9110 §9.2): when a connection is lost (refused, reset, closed before or
 * inside a response) a file is tried again, up to `attempts` times, a small one without pipelining
 * (it was first in line when the connection died); a large file resumes from its
 * partial file with a Range request (RFC 9110 §14.2: a 206 appends, a 200 restarts). undici itself
 * re-sends the pipelined requests that were queued behind a response when a server closes the
 * connection (announced with `Connection: close`, or an HTTP/1.0 server). A stalled upstream, an HTTP
 * error status, a body longer than expected or a malformed response fails at once, with the reason.
 */
import { createHash } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { rootCertificates } from 'node:tls';
import { Agent, type Dispatcher } from 'undici';
import { StrikerError } from '../../striker/core/errors/index.js';
import { coalescingConnector } from '../fetch/coalescing-connector.js';
import { checksumMismatch, sizeMismatch, VerifyingWriter } from '../fetch/verifying-writer.js';
import type { Checksum } from '../metadata/checksum.js';
import type { ContentStore } from '../store/content-store.js';
import { storeWriter } from '../store/store-writer.js';
import type { FetchOptions, RepoSource } from './repo-source.js';

export interface HttpSourceOptions {
  /** Abort a request when no byte arrives for this long, waiting for headers or inside a body (default 30 s). */
  idleTimeoutMs?: number;
  /** Files up to this size (by primary.xml) are fetched into memory, verified, written once (default 256 KiB); larger ones resume. */
  inMemoryBytes?: number;
  /** Connections per origin, for small files and again for large ones (default 16). */
  maxSockets?: number;
  /** Small-file requests in flight per connection, pipelined (default 32; 1 = no pipelining). */
  pipelineDepth?: number;
  /** PEM CA certificate(s) trusted for an https upstream, besides the system's (a private CA). */
  ca?: string;
  /** Tries per file when the connection is lost (default 3). */
  attempts?: number;
}

interface Buffered {
  status: number;
  statusText: string;
  /** The body of a 200 (at most the caller's limit); other statuses' bodies are read and dropped. */
  body: Buffer;
  location: string | undefined;
}

export class HttpSource implements RepoSource {
  readonly description: string;
  readonly inFlight: number;
  private readonly base: URL;
  private readonly idleTimeoutMs: number;
  private readonly inMemoryBytes: number;
  private readonly attempts: number;
  /** Small files and readSmall: pipelined connections. */
  private readonly pipelined: Agent;
  /** Large files: one request at a time per connection. */
  private readonly streaming: Agent;

  constructor(baseUrl: string, options: HttpSourceOptions = {}) {
    this.base = new URL(baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`);
    if (this.base.protocol !== 'http:' && this.base.protocol !== 'https:') throw new TypeError(`baseurl must be http(s) — got ${baseUrl}`);
    this.description = this.base.href;
    this.idleTimeoutMs = options.idleTimeoutMs ?? 30_000;
    this.inMemoryBytes = options.inMemoryBytes ?? 256 * 1024;
    this.attempts = Math.max(1, options.attempts ?? 3);
    const connections = options.maxSockets ?? 16;
    const depth = Math.max(1, options.pipelineDepth ?? 32);
    const tls = options.ca === undefined ? {} : { ca: [...rootCertificates, options.ca] };
    const common: Agent.Options = { connections, headersTimeout: this.idleTimeoutMs, bodyTimeout: this.idleTimeoutMs };
    this.pipelined = new Agent({ ...common, pipelining: depth, connect: coalescingConnector(tls) });
    this.streaming = new Agent({ ...common, pipelining: 1, connect: tls });
    this.inFlight = connections * depth;
  }

  close(): void {
    void this.pipelined.destroy().catch(() => {});
    void this.streaming.destroy().catch(() => {});
  }

  private urlOf(href: string): URL {
    const url = new URL(href, this.base);
    if (url.origin !== this.base.origin || !url.pathname.startsWith(this.base.pathname)) {
      throw new StrikerError('REPO_VERIFY_FAILED', `href '${href}' resolves outside ${this.base.href}`, { details: { href } });
    }
    return url;
  }

  async readSmall(href: string, maxBytes: number, signal: AbortSignal): Promise<Buffer | undefined> {
    const url = this.urlOf(href);
    const res = await this.retrying(url, signal, (attempt) => this.getBuffered(url, maxBytes, signal, attempt)).catch((error: unknown) => {
      if (!(error instanceof BodyTooLargeError)) throw error;
      throw new StrikerError('REPO_VERIFY_FAILED', `${url.href}: expected at most ${maxBytes} bytes — got more`, { details: { url: url.href } });
    });
    if (res.status === 404) return undefined;
    if (res.status !== 200) throw fetchFailed(url.href, `HTTP ${res.status} ${res.statusText}`.trim());
    return res.body;
  }

  async fetchToStore(href: string, expected: { checksum: Checksum; size?: number }, store: ContentStore, options: FetchOptions): Promise<string> {
    const url = this.urlOf(href);
    if (expected.size !== undefined && expected.size <= this.inMemoryBytes) return this.fetchSmall(url, expected as { checksum: Checksum; size: number }, store, options);
    return this.retrying(url, options.signal, () => this.fetchLarge(url, expected, store, options));
  }

  /** Small files: one pipelined GET, verified in memory, then the store writer's worker writes a temp name and renames it into the store. */
  private async fetchSmall(url: URL, expected: { checksum: Checksum; size: number }, store: ContentStore, options: FetchOptions): Promise<string> {
    const res = await this.retrying(url, options.signal, (attempt) => this.getBuffered(url, expected.size, options.signal, attempt)).catch((error: unknown) => {
      throw error instanceof BodyTooLargeError ? sizeMismatch(url.href, expected.size, error.received) : error;
    });
    if (res.status !== 200) throw fetchFailed(url.href, `HTTP ${res.status} ${res.statusText}`.trim());
    const body = res.body;
    options.onBytes?.(body.length);
    if (body.length !== expected.size) throw sizeMismatch(url.href, expected.size, body.length);
    const actual = createHash(expected.checksum.algorithm).update(body).digest('hex');
    if (actual !== expected.checksum.value) throw checksumMismatch(url.href, expected.checksum, actual);
    const target = store.pathFor(expected.checksum);
    const tmp = `${target}.${process.pid}-${Math.random().toString(36).slice(2, 8)}.tmp`;
    await storeWriter.write(tmp, target, body);
    return target;
  }

  /** One try at a large file: resumes what the partial file holds, streams the rest through the verifying writer. */
  private async fetchLarge(url: URL, expected: { checksum: Checksum; size?: number }, store: ContentStore, options: FetchOptions): Promise<string> {
    const partial = store.partialPathFor(expected.checksum);
    let have = 0;
    try { have = (await stat(partial)).size; } catch { have = 0; }
    if (expected.size !== undefined && have > expected.size) have = 0;
    if (expected.size !== undefined && have === expected.size && have > 0) {
      const w = await VerifyingWriter.open(partial, expected.checksum.algorithm, true);
      try {
        return await w.finish(expected, store, url.href);
      } catch {
        have = 0; // the complete-looking partial was wrong: fetch from scratch
      }
    }
    const res = await this.getStreaming(url, options.signal, have > 0 ? { range: `bytes=${have}-` } : {});
    if (res.statusCode !== 200 && res.statusCode !== 206) {
      await res.body.dump().catch(() => {});
      throw fetchFailed(url.href, `HTTP ${res.statusCode} ${res.statusText}`.trim());
    }
    const resume = have > 0 && res.statusCode === 206;
    if (resume && rangeStart(res.headers['content-range']) !== have) {
      res.body.destroy();
      throw fetchFailed(url.href, `asked for bytes from ${have} — the 206 has Content-Range '${String(res.headers['content-range'])}'`);
    }
    const declared = contentLength(res.headers);
    const writer = await VerifyingWriter.open(partial, expected.checksum.algorithm, resume);
    let received = 0;
    try {
      for await (const chunk of res.body) {
        await writer.write(chunk as Buffer);
        received += (chunk as Buffer).length;
        options.onBytes?.((chunk as Buffer).length);
        if (expected.size !== undefined && writer.written > expected.size) { res.body.destroy(); break; }
      }
    } catch (error) {
      await writer.close().catch(() => {});
      throw isSocketError(error) ? new CutShortError(received, declared, error) : error;
    }
    return writer.finish(expected, store, url.href);
  }

  /**
   * Runs one try of a GET-based operation, again while the connection is lost and tries remain.
   * Whatever is not a StrikerError already becomes REPO_FETCH_FAILED naming the URL and the reason.
   */
  private async retrying<T>(url: URL, signal: AbortSignal, once: (attempt: number) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await once(attempt);
      } catch (error) {
        signal.throwIfAborted();
        if (error instanceof StrikerError || error instanceof BodyTooLargeError) throw error;
        if (attempt >= this.attempts || !isConnectionLost(error)) throw fetchFailed(url.href, this.reason(error));
      }
    }
  }

  private reason(error: unknown): string {
    const code = (error as { code?: unknown }).code;
    if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT') return `no data for ${this.idleTimeoutMs} ms`;
    return causeText(error) + certificateHint(error);
  }

  /**
   * GET with redirects followed (RFC 9110 §15.4; at most 5, http/https only), the 200 body gathered
   * in memory up to `maxBytes`. Mirrors redirect to each other; a redirected file is still checked
   * against the checksum from verified metadata. A second try goes without pipelining: the request
   * the connection died in front of was first in line, and waits behind no other this time.
   */
  private async getBuffered(url: URL, maxBytes: number, signal: AbortSignal, attempt: number): Promise<Buffered> {
    const dispatcher = attempt === 1 ? this.pipelined : this.streaming;
    let current = url;
    for (let hop = 0; hop <= 5; hop++) {
      const res = await new Promise<Buffered>((resolve, reject) => {
        // blocking: false, or undici holds back the requests behind a GET until its response headers arrive
        dispatcher.dispatch({ ...request(current), blocking: false }, new BufferingHandler(maxBytes, signal, resolve, reject));
      });
      if (!redirects.has(res.status) || res.location === undefined) return res;
      current = redirectTarget(url, current, res.location);
    }
    throw fetchFailed(url.href, 'more than 5 redirects');
  }

  /** GET with redirects followed, the body left to stream. */
  private async getStreaming(url: URL, signal: AbortSignal, headers: Record<string, string>): Promise<Dispatcher.ResponseData> {
    let current = url;
    for (let hop = 0; hop <= 5; hop++) {
      const res = await this.streaming.request({ ...request(current, headers), signal });
      const location = res.headers['location'];
      if (!redirects.has(res.statusCode) || typeof location !== 'string') return res;
      await res.body.dump().catch(() => {});
      current = redirectTarget(url, current, location);
    }
    throw fetchFailed(url.href, 'more than 5 redirects');
  }
}

/**
 * Gathers one response in memory. It uses undici's raw handler callbacks (the header list as sent,
 * no parsed object per response: only Content-Length and Location are read). undici may start the
 * request more than once: a pipelined request queued behind a response whose connection closed is
 * sent again on another connection.
 */
class BufferingHandler implements Dispatcher.DispatchHandler {
  private abort: ((error: Error) => void) | undefined;
  private status = 0;
  private statusText = '';
  private location: string | undefined;
  private declared: number | undefined;
  private parts: Buffer[] = [];
  private received = 0;
  private settled = false;

  constructor(
    private readonly maxBytes: number,
    private readonly signal: AbortSignal,
    private readonly resolve: (r: Buffered) => void,
    private readonly reject: (e: unknown) => void,
  ) {
    if (signal.aborted) this.fail(signal.reason);
    else watch(signal, this);
  }

  /** The caller's signal fired. */
  cancel(reason: Error): void {
    if (this.abort !== undefined) this.abort(reason);
    else this.fail(reason);
  }

  onConnect(abort: (error?: Error) => void): void {
    this.abort = abort;
    this.status = 0;
    this.parts = [];
    this.received = 0;
    if (this.settled) abort(this.signal.reason as Error);
  }

  onHeaders(status: number, rawHeaders: Buffer[], _resume: () => void, statusText: string): boolean {
    if (status < 200) return true;
    this.status = status;
    this.statusText = statusText;
    this.location = undefined;
    this.declared = undefined;
    for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
      const name = rawHeaders[i]!;
      if (name.length === 14 && name.toString('latin1').toLowerCase() === 'content-length') this.declared = decimal(rawHeaders[i + 1]!.toString('latin1'));
      else if (name.length === 8 && name.toString('latin1').toLowerCase() === 'location') this.location = rawHeaders[i + 1]!.toString('latin1');
    }
    if (status === 200 && this.declared !== undefined && this.declared > this.maxBytes) this.abort?.(new BodyTooLargeError(this.maxBytes, this.declared));
    return true;
  }

  onData(chunk: Buffer): boolean {
    if (this.status !== 200) return true;
    this.received += chunk.length;
    if (this.received > this.maxBytes) {
      this.abort?.(new BodyTooLargeError(this.maxBytes, this.received));
      return true;
    }
    this.parts.push(chunk);
    return true;
  }

  onComplete(): void {
    if (this.settled) return;
    this.settled = true;
    unwatch(this.signal, this);
    const body = compact(this.parts, this.received);
    this.parts = [];
    this.resolve({ status: this.status, statusText: this.statusText, body, location: this.location });
  }

  onError(error: Error): void {
    this.fail(this.status !== 0 && isSocketError(error) ? new CutShortError(this.received, this.declared, error) : error);
  }

  private fail(error: unknown): void {
    if (this.settled) return;
    this.settled = true;
    unwatch(this.signal, this);
    this.parts = [];
    this.reject(error);
  }
}

/** Requests in flight per signal: one abort listener per signal (a sync's), not one per request. */
const watched = new WeakMap<AbortSignal, Set<BufferingHandler>>();

function watch(signal: AbortSignal, handler: BufferingHandler): void {
  let handlers = watched.get(signal);
  if (handlers === undefined) {
    const all = new Set<BufferingHandler>();
    watched.set(signal, (handlers = all));
    signal.addEventListener('abort', () => { for (const h of [...all]) h.cancel(signal.reason as Error); }, { once: true });
  }
  handlers.add(handler);
}

function unwatch(signal: AbortSignal, handler: BufferingHandler): void {
  watched.get(signal)?.delete(handler);
}

/**
 * The body in a buffer of its own. undici hands out views into the socket's read buffer (64 KiB);
 * a view posted to the store writer's thread would copy that whole buffer, not just the file.
 */
function compact(parts: readonly Buffer[], length: number): Buffer {
  const body = Buffer.allocUnsafeSlow(length);
  let at = 0;
  for (const part of parts) at += part.copy(body, at);
  return body;
}

/** The 200 body is longer than the caller allowed. */
class BodyTooLargeError extends Error {
  constructor(readonly maxBytes: number, readonly received: number) {
    super(`body longer than ${maxBytes} bytes (at least ${received})`);
  }
}

/** The connection closed inside a response body. */
class CutShortError extends Error {
  constructor(received: number, declared: number | undefined, cause: unknown) {
    super(declared === undefined
      ? `connection closed inside the response after ${received} body bytes`
      : `connection closed inside the response (${declared - received} of ${declared} body bytes missing)`, { cause });
  }
}

/** Redirect statuses followed (RFC 9110 §15.4). */
const redirects = new Set([301, 302, 303, 307, 308]);

/** What a lost connection looks like: worth another try of an idempotent GET. */
const lostCodes = new Set(['UND_ERR_SOCKET', 'ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ECONNABORTED', 'UND_ERR_CONNECT_TIMEOUT']);

function isConnectionLost(error: unknown): boolean {
  return error instanceof CutShortError || lostCodes.has(String((error as { code?: unknown }).code));
}

function isSocketError(error: unknown): boolean {
  const code = String((error as { code?: unknown }).code);
  return code === 'UND_ERR_SOCKET' || code === 'ECONNRESET' || code === 'EPIPE';
}

const requestHeaders = { 'user-agent': 'striker-repo-sync', 'accept-encoding': 'identity' };

function request(url: URL, headers: Record<string, string> = {}): Dispatcher.DispatchOptions {
  return { origin: url.origin, path: url.pathname + url.search, method: 'GET', headers: { ...requestHeaders, ...headers } };
}

function redirectTarget(first: URL, current: URL, location: string): URL {
  const next = new URL(location, current);
  if (next.protocol !== 'http:' && next.protocol !== 'https:') throw fetchFailed(first.href, `redirected to a non-HTTP URL ${next.href}`);
  return next;
}

function contentLength(headers: Record<string, string | string[] | undefined>): number | undefined {
  const value = headers['content-length'];
  return typeof value === 'string' ? decimal(value) : undefined;
}

function decimal(value: string): number | undefined {
  const n = /^\d+$/.test(value) ? Number(value) : Number.NaN;
  return Number.isSafeInteger(n) ? n : undefined;
}

/** The first byte position of `Content-Range: bytes first-last/complete` (RFC 9110 §14.4). */
function rangeStart(value: string | string[] | undefined): number | undefined {
  const m = typeof value === 'string' ? /^bytes (\d+)-\d+\/(?:\d+|\*)$/.exec(value.trim()) : null;
  return m ? Number(m[1]) : undefined;
}

function fetchFailed(url: string, reason: string): StrikerError {
  return new StrikerError('REPO_FETCH_FAILED', `GET ${url} failed: ${reason}`, { details: { url, reason } });
}

/** OpenSSL's X509 verification results as Node reports them (UNABLE_TO_VERIFY_LEAF_SIGNATURE, DEPTH_ZERO_SELF_SIGNED_CERT, CERT_HAS_EXPIRED, ERR_TLS_CERT_ALTNAME_INVALID…). */
function certificateHint(error: unknown): string {
  const code = String((error as { code?: unknown }).code ?? '');
  return /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER/.test(code)
    ? ' (the upstream\'s TLS certificate is not trusted: give the repo the CA certificate that signed it, caCertificate / --ca-cert)'
    : '';
}

function causeText(error: unknown): string {
  const e = error as Error & { code?: string };
  return [e.message, e.code && !e.message.includes(e.code) ? e.code : undefined].filter(Boolean).join(': ');
}
