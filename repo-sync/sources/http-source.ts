/**
 * An upstream repo over HTTP(S) (`baseurl`), on node:http/https with a keep-alive agent (a repo
 * is thousands of small GETs; undici's WHATWG fetch costs about twice as much per request here).
 * Downloads resume a partial file with a Range request (RFC 9110 §14.2: a 206 appends, a 200
 * restarts), stop when the body exceeds the expected size, and time out when the upstream stalls.
 * Small files are hashed in memory and written once; large ones stream through a partial file.
 */
import { createHash } from 'node:crypto';
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { connect as netConnect } from 'node:net';
import { connect as tlsConnect, rootCertificates } from 'node:tls';
import { stat } from 'node:fs/promises';
import { StrikerError } from '../../striker/core/errors/index.js';
import { BodyTooLargeError, PipelinedHttp } from '../fetch/pipelined-http.js';
import { checksumMismatch, sizeMismatch, VerifyingWriter } from '../fetch/verifying-writer.js';
import type { Checksum } from '../metadata/checksum.js';
import type { ContentStore } from '../store/content-store.js';
import { storeWriter } from '../store/store-writer.js';
import type { FetchOptions, RepoSource } from './repo-source.js';

export interface HttpSourceOptions {
  /** Abort a request when no byte arrives for this long (default 30 s). */
  idleTimeoutMs?: number;
  /** Files up to this size (by primary.xml) are fetched into memory, verified, written once (default 256 KiB); larger ones resume. */
  inMemoryBytes?: number;
  maxSockets?: number;
  /** Small-file requests in flight per connection, pipelined (default 16; 1 = no pipelining). */
  pipelineDepth?: number;
  /** PEM CA certificate(s) trusted for an https upstream, besides the system's (a private CA). */
  ca?: string;
}

export class HttpSource implements RepoSource {
  readonly description: string;
  private readonly base: URL;
  private readonly idleTimeoutMs: number;
  private readonly inMemoryBytes: number;
  private readonly agents: { http: HttpAgent; https: HttpsAgent };
  /** Small files (most of a repo) go through pipelined connections; everything else through the agents. */
  private readonly pipeline: PipelinedHttp;
  readonly inFlight: number;

  constructor(baseUrl: string, options: HttpSourceOptions = {}) {
    this.base = new URL(baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`);
    if (this.base.protocol !== 'http:' && this.base.protocol !== 'https:') throw new TypeError(`baseurl must be http(s) — got ${baseUrl}`);
    this.description = this.base.href;
    this.idleTimeoutMs = options.idleTimeoutMs ?? 30_000;
    this.inMemoryBytes = options.inMemoryBytes ?? 256 * 1024;
    const agentOptions = { keepAlive: true, maxSockets: options.maxSockets ?? 16 };
    const ca = options.ca === undefined ? undefined : [...rootCertificates, options.ca];
    this.agents = { http: new HttpAgent(agentOptions), https: new HttpsAgent({ ...agentOptions, ...(ca ? { ca } : {}) }) };
    const depth = options.pipelineDepth ?? 16;
    const https = this.base.protocol === 'https:';
    const host = this.base.hostname.replace(/^\[|\]$/g, '');
    const port = Number(this.base.port || (https ? 443 : 80));
    this.pipeline = new PipelinedHttp({
      host: this.base.host, connections: agentOptions.maxSockets, depth, idleTimeoutMs: this.idleTimeoutMs,
      connect: () => (https
        ? tlsConnect({ host, port, servername: /^[\d.]+$|:/.test(host) ? undefined : host, ALPNProtocols: ['http/1.1'], ...(ca ? { ca } : {}) })
        : netConnect({ host, port, noDelay: true })),
    });
    this.inFlight = agentOptions.maxSockets * Math.max(1, depth);
  }

  close(): void {
    this.agents.http.destroy();
    this.agents.https.destroy();
    this.pipeline.close();
  }

  private urlOf(href: string): URL {
    const url = new URL(href, this.base);
    if (url.origin !== this.base.origin || !url.pathname.startsWith(this.base.pathname)) {
      throw new StrikerError('REPO_VERIFY_FAILED', `href '${href}' resolves outside ${this.base.href}`, { details: { href } });
    }
    return url;
  }

  /**
   * GET with redirects followed (RFC 9110 §15.4; at most 5, http/https only). Mirrors redirect to
   * each other; a redirected file is still checked against the checksum from verified metadata.
   */
  private async get(url: URL, signal: AbortSignal, headers: Record<string, string> = {}): Promise<IncomingMessage> {
    let current = url;
    for (let hop = 0; hop <= 5; hop++) {
      const res = await this.getOnce(current, signal, headers);
      const location = res.headers.location;
      if (!redirects.has(res.statusCode ?? 0) || location === undefined) return res;
      res.resume();
      const next = new URL(location, current);
      if (next.protocol !== 'http:' && next.protocol !== 'https:') throw fetchFailed(url.href, `redirected to a non-HTTP URL ${next.href}`);
      current = next;
    }
    throw fetchFailed(url.href, 'more than 5 redirects');
  }

  private getOnce(url: URL, signal: AbortSignal, headers: Record<string, string>): Promise<IncomingMessage> {
    signal.throwIfAborted();
    return new Promise((resolve, reject) => {
      const https = url.protocol === 'https:';
      const req = (https ? httpsRequest : httpRequest)(url, { agent: https ? this.agents.https : this.agents.http, headers, signal });
      req.setTimeout(this.idleTimeoutMs, () => {
        stalled.add(req);
        req.destroy(new Error(`no data for ${this.idleTimeoutMs} ms`));
      });
      req.on('response', (res) => { requestOf.set(res, req); resolve(res); });
      req.on('error', (error) => reject(signal.aborted ? signal.reason : fetchFailed(url.href, causeText(error) + certificateHint(error))));
      req.end();
    });
  }

  /** Why a body stopped: our idle timeout, or what the socket said. */
  private why(res: IncomingMessage, error: unknown): string {
    const req = requestOf.get(res);
    return req !== undefined && stalled.has(req) ? `no data for ${this.idleTimeoutMs} ms` : causeText(error);
  }

  async readSmall(href: string, maxBytes: number, signal: AbortSignal): Promise<Buffer | undefined> {
    const url = this.urlOf(href);
    const res = await this.get(url, signal);
    if (res.statusCode === 404) { res.resume(); return undefined; }
    if (res.statusCode !== 200) { res.resume(); throw fetchFailed(url.href, `HTTP ${res.statusCode} ${res.statusMessage ?? ''}`.trim()); }
    return this.readBody(res, url, maxBytes, signal);
  }

  private async readBody(res: IncomingMessage, url: URL, maxBytes: number, signal: AbortSignal): Promise<Buffer> {
    const parts: Buffer[] = [];
    let n = 0;
    try {
      for await (const chunk of res) {
        n += (chunk as Buffer).length;
        if (n > maxBytes) { res.destroy(); throw new StrikerError('REPO_VERIFY_FAILED', `${url.href}: expected at most ${maxBytes} bytes — got more`, { details: { url: url.href } }); }
        parts.push(chunk as Buffer);
      }
    } catch (error) {
      if (error instanceof StrikerError) throw error;
      signal.throwIfAborted();
      throw fetchFailed(url.href, this.why(res, error));
    }
    return Buffer.concat(parts, n);
  }

  async fetchToStore(href: string, expected: { checksum: Checksum; size?: number }, store: ContentStore, options: FetchOptions): Promise<string> {
    const url = this.urlOf(href);
    if (expected.size !== undefined && expected.size <= this.inMemoryBytes) return this.fetchSmall(url, expected as { checksum: Checksum; size: number }, store, options);
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
    const res = await this.get(url, options.signal, have > 0 ? { range: `bytes=${have}-` } : {});
    if (res.statusCode !== 200 && res.statusCode !== 206) { res.resume(); throw fetchFailed(url.href, `HTTP ${res.statusCode} ${res.statusMessage ?? ''}`.trim()); }
    const writer = await VerifyingWriter.open(partial, expected.checksum.algorithm, have > 0 && res.statusCode === 206);
    try {
      for await (const chunk of res) {
        await writer.write(chunk as Buffer);
        options.onBytes?.((chunk as Buffer).length);
        if (expected.size !== undefined && writer.written > expected.size) { res.destroy(); break; }
      }
    } catch (error) {
      await writer.close().catch(() => {});
      options.signal.throwIfAborted();
      throw fetchFailed(url.href, this.why(res, error));
    }
    return writer.finish(expected, store, url.href);
  }

  /**
   * Small files: one pipelined GET (a redirect falls back to the agent path, which follows it),
   * verified in memory, then the store writer's worker writes a temp name and renames it into the store.
   */
  private async fetchSmall(url: URL, expected: { checksum: Checksum; size: number }, store: ContentStore, options: FetchOptions): Promise<string> {
    let body: Buffer;
    try {
      const res = await this.pipeline.get(url.pathname + url.search, expected.size, options.signal);
      if (redirects.has(res.status) && res.headers.has('location')) body = await this.fetchSmallFollowing(url, expected, options);
      else if (res.status !== 200) throw fetchFailed(url.href, `HTTP ${res.status} ${res.reason}`.trim());
      else body = res.body;
    } catch (error) {
      if (error instanceof BodyTooLargeError) throw sizeMismatch(url.href, expected.size, error.received);
      if (error instanceof StrikerError) throw error;
      options.signal.throwIfAborted();
      throw fetchFailed(url.href, causeText(error) + certificateHint(error));
    }
    options.onBytes?.(body.length);
    if (body.length !== expected.size) throw sizeMismatch(url.href, expected.size, body.length);
    const actual = createHash(expected.checksum.algorithm).update(body).digest('hex');
    if (actual !== expected.checksum.value) throw checksumMismatch(url.href, expected.checksum, actual);
    const target = store.pathFor(expected.checksum);
    const tmp = `${target}.${process.pid}-${Math.random().toString(36).slice(2, 8)}.tmp`;
    await storeWriter.write(tmp, target, body);
    return target;
  }

  /** A small file whose URL redirects: the agent path follows the redirect; the body is read in memory. */
  private async fetchSmallFollowing(url: URL, expected: { checksum: Checksum; size: number }, options: FetchOptions): Promise<Buffer> {
    const res = await this.get(url, options.signal);
    if (res.statusCode !== 200) { res.resume(); throw fetchFailed(url.href, `HTTP ${res.statusCode} ${res.statusMessage ?? ''}`.trim()); }
    const declared = Number(res.headers['content-length']);
    if (Number.isFinite(declared) && declared > expected.size) {
      res.destroy();
      throw sizeMismatch(url.href, expected.size, declared);
    }
    return this.readBody(res, url, expected.size, options.signal).catch((error: unknown) => {
      if (error instanceof StrikerError && error.code === 'REPO_VERIFY_FAILED') throw sizeMismatch(url.href, expected.size, expected.size + 1);
      throw error;
    });
  }
}

/** Redirect statuses followed (RFC 9110 §15.4). */
const redirects = new Set([301, 302, 303, 307, 308]);
const stalled = new WeakSet<object>();
const requestOf = new WeakMap<IncomingMessage, object>();

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
