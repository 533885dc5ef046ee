/**
 * An upstream repo over HTTP(S) (`baseurl`). Downloads resume a partial file with a Range
 * request (RFC 9110 §14.2; a 206 appends, a 200 restarts, a 416 re-verifies what is there), stop
 * when the body exceeds the expected size, and time out when the upstream stalls.
 */
import { stat } from 'node:fs/promises';
import { StrikerError } from '../../striker/errors/index.js';
import { VerifyingWriter } from '../fetch/verifying-writer.js';
import type { Checksum } from '../metadata/checksum.js';
import type { ContentStore } from '../store/content-store.js';
import type { FetchOptions, RepoSource } from './repo-source.js';

export interface HttpSourceOptions {
  /** Abort a request when no byte arrives for this long (default 30 s). */
  idleTimeoutMs?: number;
  fetch?: typeof fetch;
}

export class HttpSource implements RepoSource {
  readonly description: string;
  private readonly base: URL;
  private readonly idleTimeoutMs: number;
  private readonly fetchImpl: typeof fetch;

  constructor(baseUrl: string, options: HttpSourceOptions = {}) {
    this.base = new URL(baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`);
    if (this.base.protocol !== 'http:' && this.base.protocol !== 'https:') throw new TypeError(`baseurl must be http(s) — got ${baseUrl}`);
    this.description = this.base.href;
    this.idleTimeoutMs = options.idleTimeoutMs ?? 30_000;
    this.fetchImpl = options.fetch ?? fetch;
  }

  private urlOf(href: string): string {
    const url = new URL(href, this.base);
    if (url.origin !== this.base.origin || !url.pathname.startsWith(this.base.pathname)) {
      throw new StrikerError('REPO_VERIFY_FAILED', `href '${href}' resolves outside ${this.base.href}`, { details: { href } });
    }
    return url.href;
  }

  private async request(url: string, signal: AbortSignal, headers: Record<string, string> = {}): Promise<{ res: Response; idle: AbortController; touch: () => void; done: () => void }> {
    const idle = new AbortController();
    let timer = setTimeout(() => idle.abort(new Error(`no data for ${this.idleTimeoutMs} ms`)), this.idleTimeoutMs);
    const touch = () => { clearTimeout(timer); timer = setTimeout(() => idle.abort(new Error(`no data for ${this.idleTimeoutMs} ms`)), this.idleTimeoutMs); };
    const done = () => clearTimeout(timer);
    try {
      const res = await this.fetchImpl(url, { signal: AbortSignal.any([signal, idle.signal]), headers });
      return { res, idle, touch, done };
    } catch (error) {
      done();
      signal.throwIfAborted();
      throw fetchFailed(url, causeText(error, idle));
    }
  }

  async readSmall(href: string, maxBytes: number, signal: AbortSignal): Promise<Buffer | undefined> {
    const url = this.urlOf(href);
    const { res, idle, touch, done } = await this.request(url, signal);
    try {
      if (res.status === 404) { await res.body?.cancel(); return undefined; }
      if (!res.ok || !res.body) { await res.body?.cancel(); throw fetchFailed(url, `HTTP ${res.status} ${res.statusText}`); }
      const parts: Buffer[] = [];
      let n = 0;
      for await (const chunk of res.body) {
        touch();
        n += chunk.length;
        if (n > maxBytes) throw fetchFailed(url, `larger than ${maxBytes} bytes`);
        parts.push(Buffer.from(chunk));
      }
      return Buffer.concat(parts);
    } catch (error) {
      if (error instanceof StrikerError) throw error;
      signal.throwIfAborted();
      throw fetchFailed(url, causeText(error, idle));
    } finally {
      done();
    }
  }

  async fetchToStore(href: string, expected: { checksum: Checksum; size?: number }, store: ContentStore, options: FetchOptions): Promise<string> {
    const url = this.urlOf(href);
    const partial = store.partialPathFor(expected.checksum);
    let have = 0;
    try { have = (await stat(partial)).size; } catch { have = 0; }
    if (expected.size !== undefined && have > expected.size) have = 0;
    if (expected.size !== undefined && have === expected.size && have > 0) {
      const w = await VerifyingWriter.open(partial, expected.checksum.algorithm, true);
      try {
        return await w.finish(expected, store, url);
      } catch {
        have = 0; // the complete-looking partial was wrong: fetch from scratch
      }
    }
    const { res, idle, touch, done } = await this.request(url, options.signal, have > 0 ? { range: `bytes=${have}-` } : {});
    let writer: VerifyingWriter | undefined;
    try {
      if (!res.ok || !res.body) { await res.body?.cancel(); throw fetchFailed(url, `HTTP ${res.status} ${res.statusText}`); }
      const resumed = have > 0 && res.status === 206;
      writer = await VerifyingWriter.open(partial, expected.checksum.algorithm, resumed);
      if (resumed) options.onBytes?.(0);
      for await (const chunk of res.body) {
        touch();
        await writer.write(chunk);
        options.onBytes?.(chunk.length);
        if (expected.size !== undefined && writer.written > expected.size) {
          await res.body.cancel().catch(() => {});
          break;
        }
      }
      const w = writer;
      writer = undefined;
      return await w.finish(expected, store, url);
    } catch (error) {
      await writer?.close().catch(() => {});
      if (error instanceof StrikerError) throw error;
      options.signal.throwIfAborted();
      throw fetchFailed(url, causeText(error, idle));
    } finally {
      done();
    }
  }
}

function fetchFailed(url: string, reason: string): StrikerError {
  return new StrikerError('REPO_FETCH_FAILED', `GET ${url} failed: ${reason}`, { details: { url, reason } });
}

function causeText(error: unknown, idle: AbortController): string {
  if (idle.signal.aborted) return String((idle.signal.reason as Error)?.message ?? 'stalled');
  const e = error as Error & { cause?: { code?: string; message?: string } };
  return [e.message, e.cause?.code ?? e.cause?.message].filter(Boolean).join(': ');
}
