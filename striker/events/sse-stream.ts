/**
 * Server-sent event streams, the one way a route opens one (`sseRoute`): the response hijacked
 * with the event-stream headers and a `retry:` hint, a keep-alive comment every `keepAliveMs`,
 * at most `maxPerCredential` streams per session or API token (a 429 beyond: a tab left open per
 * page would otherwise pin connections), and every open stream ended when the app closes, so
 * shutdown does not wait on them.
 *
 * A stream ends when its credential does: no frame is written until a credential check that
 * began after the frame was queued has passed, and an idle stream is checked every `recheckMs`.
 * Frames queued while a check is in flight wait for the next one, coalesced per key (a later
 * frame for the same key replaces an earlier one not yet written: each is that thing's latest
 * state), so at most one check per stream is ever in flight.
 */
import type { ServerResponse } from 'node:http';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { StrikerError } from '../core/errors/index.js';
import type { Database } from '../db/database.js';
import { credentialCheck, type CredentialCheck } from '../http/credential-check.js';
import { rawSecurityHeaders } from '../http/security-headers.js';

export interface SseStreamOptions {
  res: ServerResponse;
  check: CredentialCheck;
  recheckMs: number;
  keepAliveMs: number;
  /** Called once when the stream ends, whichever side ended it. */
  onEnd: () => void;
}

export class SseStream {
  private readonly pending = new Map<string, string>();
  private checking: Promise<void> | undefined;
  private ended = false;
  private readonly timers: NodeJS.Timeout[];

  constructor(private readonly o: SseStreamOptions) {
    this.timers = [
      setInterval(() => this.drain(), o.recheckMs),
      setInterval(() => o.res.write(': keep-alive\n\n'), o.keepAliveMs),
    ];
  }

  /** Queues `frame` under `key` (replacing an older frame of that key not yet written). */
  push(key: string, frame: string): void {
    if (this.ended) return;
    this.pending.set(key, frame);
    this.drain();
  }

  /** Ends the stream: the server closes it (credential gone, app closing) or the client went away. */
  end(): void {
    if (this.ended) return;
    this.ended = true;
    for (const t of this.timers) clearInterval(t);
    this.pending.clear();
    this.o.res.end();
    this.o.onEnd();
  }

  private drain(): void {
    if (this.checking || this.ended) return;
    this.checking = this.run().finally(() => {
      this.checking = undefined;
    });
  }

  private async run(): Promise<void> {
    do {
      const batch = [...this.pending.values()];
      this.pending.clear();
      if (!(await this.o.check())) {
        this.end();
        return;
      }
      if (this.ended) return;
      for (const frame of batch) this.o.res.write(frame);
    } while (this.pending.size > 0 && !this.ended);
  }
}

export interface SseRouteOptions {
  db: Database;
  recheckMs: number;
  keepAliveMs: number;
  /** Streams one session or API token may hold open at once on this route. */
  maxPerCredential: number;
}

export interface SseRoute {
  /**
   * Answers `request` with a stream (throws RATE_LIMITED, before anything is sent, when its
   * credential holds too many). `onEnd` runs once when the stream ends.
   */
  open(request: FastifyRequest, reply: FastifyReply, onEnd?: () => void): SseStream;
}

function credentialKey(request: FastifyRequest): string {
  if (request.apiToken !== undefined && request.apiToken !== null) return `token:${request.apiToken.id}`;
  return `session:${request.session?.sessionId ?? 'none'}`;
}

/** The streams of one route of `app`. */
export function sseRoute(app: FastifyInstance, o: SseRouteOptions): SseRoute {
  const open = new Map<string, number>();
  const streams = new Set<SseStream>();
  app.addHook('preClose', async () => {
    for (const s of [...streams]) s.end();
  });
  return {
    open(request, reply, onEnd) {
      const key = credentialKey(request);
      const count = open.get(key) ?? 0;
      if (count >= o.maxPerCredential) {
        throw new StrikerError('RATE_LIMITED', `this session already has ${o.maxPerCredential} live streams open; close a tab or wait for one to end`, {
          details: { retryAfterSeconds: 5, limit: o.maxPerCredential },
        });
      }
      open.set(key, count + 1);
      reply.hijack();
      const res = reply.raw;
      rawSecurityHeaders(res, true);
      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-store, no-transform',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
      });
      res.write('retry: 2000\n\n');
      const stream: SseStream = new SseStream({
        res,
        check: credentialCheck(request, o.db),
        recheckMs: o.recheckMs,
        keepAliveMs: o.keepAliveMs,
        onEnd: () => {
          streams.delete(stream);
          const left = (open.get(key) ?? 1) - 1;
          if (left <= 0) open.delete(key);
          else open.set(key, left);
          onEnd?.();
        },
      });
      streams.add(stream);
      res.on('close', () => stream.end());
      return stream;
    },
  };
}
