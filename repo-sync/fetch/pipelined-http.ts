/**
 * Pipelined HTTP/1.1 GETs of many small files from one origin (RFC 9112 §9.3.2). A repo is
 * thousands of files of a few KiB; one request at a time per connection pays a round trip and a
 * full client request/response object graph per file, which made the client, not the network, the
 * cost of a first sync. Here each connection keeps up to `depth` requests in flight, written in one
 * batch, and the answers are cut apart by the pure `ResponseParser` as they stream in.
 *
 * Pipelining's known hazard is a server closing a connection with requests still unanswered
 * (nginx does after `keepalive_requests`, HTTP/1.0 servers after every response). GET is safe and
 * idempotent (RFC 9110 §9.2), so an unanswered request simply goes out again on another connection:
 * for free when the server had announced the close (`Connection: close`); otherwise the request the
 * connection died in front of is charged one of its `maxAttempts`. A server that answers one response per connection gets one request per connection
 * from then on. A response cut short, a malformed response or a stall fails the request it belongs
 * to; it never takes the process down.
 */
import type { Socket } from 'node:net';
import { DecodeError } from '../../striker/core/errors/index.js';
import { ResponseParser, type ResponseEvent } from './http1-response-parser.js';

export interface PipelinedResponse {
  status: number;
  reason: string;
  /** Field names in lower case; repeated fields joined with ", ". */
  headers: ReadonlyMap<string, string>;
  /** The body of a 200 (at most `maxBytes`); empty for other statuses (drained, not kept). */
  body: Buffer;
}

export interface PipelinedHttpOptions {
  /** Opens one connection to the origin (net.connect, or tls.connect for https). */
  connect: () => Socket;
  /** The Host field (RFC 9110 §7.2): host[:port] of the origin. */
  host: string;
  /** Connections at most (the repo's parallelism). */
  connections: number;
  /** Requests in flight per connection (default 16). */
  depth?: number;
  /** A connection with requests in flight and no byte for this long fails them (default 30 s). */
  idleTimeoutMs?: number;
  /** Times one request may be lost to an unannounced connection close before it fails (default 3). */
  maxAttempts?: number;
}

/** The 200 body is longer than the caller allowed. */
export class BodyTooLargeError extends Error {
  constructor(readonly maxBytes: number, readonly received: number) {
    super(`body longer than ${maxBytes} bytes (at least ${received})`);
  }
}

interface Request {
  readonly target: string;
  readonly maxBytes: number;
  readonly signal: AbortSignal;
  readonly resolve: (r: PipelinedResponse) => void;
  readonly reject: (e: unknown) => void;
  attempts: number;
  head?: Extract<ResponseEvent, { kind: 'head' }>;
  parts: Buffer[];
  received: number;
  done: boolean;
}

interface Connection {
  readonly socket: Socket;
  readonly parser: ResponseParser;
  readonly inflight: Request[];
  /** No more requests go out on it: the server announced the close, or it failed. */
  closing: boolean;
  /** The close was announced by the server (Connection: close), so unanswered requests cost no attempt. */
  announced: boolean;
  answered: number;
  /** Why it failed (our idle timeout, a parse error), for the requests it takes down. */
  failure?: Error;
  /** It went quiet with requests in flight: they all fail (a stall is reported, not retried). */
  stalled: boolean;
}

export class PipelinedHttp {
  private readonly queue: Request[] = [];
  private readonly connections = new Set<Connection>();
  private readonly hooked = new WeakSet<AbortSignal>();
  private depth: number;
  private readonly idleTimeoutMs: number;
  private readonly maxAttempts: number;
  private pumpScheduled = false;
  private closed = false;

  constructor(private readonly options: PipelinedHttpOptions) {
    this.depth = Math.max(1, options.depth ?? 16);
    this.idleTimeoutMs = options.idleTimeoutMs ?? 30_000;
    this.maxAttempts = options.maxAttempts ?? 3;
  }

  /** GETs `target` (path and query, already percent-encoded as URL.pathname + URL.search give them). */
  get(target: string, maxBytes: number, signal: AbortSignal): Promise<PipelinedResponse> {
    if (/[\s\0]/.test(target) || !target.startsWith('/')) return Promise.reject(new TypeError(`not a request target: ${JSON.stringify(target)}`));
    if (this.closed) return Promise.reject(new Error('pipelined client closed'));
    if (signal.aborted) return Promise.reject(signal.reason);
    this.hook(signal);
    return new Promise((resolve, reject) => {
      this.queue.push({ target, maxBytes, signal, resolve, reject, attempts: 0, parts: [], received: 0, done: false });
      this.schedulePump();
    });
  }

  /** Closes every connection; requests not yet answered fail. */
  close(): void {
    this.closed = true;
    const error = new Error('pipelined client closed');
    for (const r of this.queue.splice(0)) settle(r, error);
    for (const c of this.connections) {
      for (const r of c.inflight.splice(0)) settle(r, error);
      c.socket.destroy();
    }
    this.connections.clear();
  }

  private hook(signal: AbortSignal): void {
    if (this.hooked.has(signal)) return;
    this.hooked.add(signal);
    signal.addEventListener('abort', () => this.abortAll(signal), { once: true });
  }

  /** A signal fired: its queued requests fail; connections carrying any of its requests are dropped. */
  private abortAll(signal: AbortSignal): void {
    for (let i = this.queue.length - 1; i >= 0; i--) {
      const r = this.queue[i]!;
      if (r.signal === signal) { this.queue.splice(i, 1); settle(r, signal.reason); }
    }
    for (const c of [...this.connections]) {
      if (c.inflight.some((r) => r.signal === signal)) this.drop(c, signal.reason as Error);
    }
  }

  private schedulePump(): void {
    if (this.pumpScheduled) return;
    this.pumpScheduled = true;
    // Gather every request queued in this tick into one write per connection.
    queueMicrotask(() => {
      this.pumpScheduled = false;
      this.pump();
    });
  }

  private pump(): void {
    if (this.closed) return;
    while (this.queue.length > 0 && this.connections.size < this.options.connections) {
      if (!this.openable()) break;
      this.open();
    }
    // Spread the queue over the open connections, least loaded first.
    const open = [...this.connections].filter((c) => !c.closing);
    if (open.length === 0) return;
    const batches = new Map<Connection, string[]>();
    while (this.queue.length > 0) {
      let best: Connection | undefined;
      for (const c of open) if (c.inflight.length < this.depth && (best === undefined || c.inflight.length < best.inflight.length)) best = c;
      if (best === undefined) break;
      const r = this.queue.shift()!;
      best.inflight.push(r);
      let lines = batches.get(best);
      if (lines === undefined) batches.set(best, (lines = []));
      lines.push(`GET ${r.target} HTTP/1.1\r\nHost: ${this.options.host}\r\nUser-Agent: striker-repo-sync\r\nAccept-Encoding: identity\r\n\r\n`);
    }
    for (const [c, lines] of batches) c.socket.write(lines.join(''), 'latin1');
  }

  /** Never more connections than requests waiting (each would idle), at least one. */
  private openable(): boolean {
    const room = [...this.connections].reduce((n, c) => n + (c.closing ? 0 : this.depth - c.inflight.length), 0);
    return room < this.queue.length;
  }

  private open(): void {
    const socket = this.options.connect();
    const c: Connection = { socket, parser: new ResponseParser(), inflight: [], closing: false, announced: false, answered: 0, stalled: false };
    this.connections.add(c);
    const events: ResponseEvent[] = [];
    socket.setTimeout(this.idleTimeoutMs);
    socket.on('timeout', () => {
      if (c.inflight.length === 0) { c.closing = true; socket.destroy(); return; }
      c.stalled = true;
      this.drop(c, new Error(`no data for ${this.idleTimeoutMs} ms`));
    });
    socket.on('data', (chunk: Buffer) => {
      events.length = 0;
      try {
        c.parser.push(chunk, events);
      } catch (error) {
        this.deliver(c, events); // what parsed before the bad bytes is good
        this.drop(c, error as Error);
        return;
      }
      this.deliver(c, events);
    });
    socket.on('end', () => {
      events.length = 0;
      try {
        c.parser.end(events);
      } catch (error) {
        c.failure ??= error as Error;
      }
      this.deliver(c, events);
      socket.destroy();
    });
    socket.on('error', (error: Error) => { c.failure ??= error; });
    socket.on('close', () => this.closedConnection(c));
  }

  private deliver(c: Connection, events: readonly ResponseEvent[]): void {
    for (const e of events) {
      const r = c.inflight[0];
      if (r === undefined) {
        this.drop(c, new DecodeError('a response nobody asked for', 'HTTP response', 0));
        return;
      }
      if (e.kind === 'head') {
        r.head = e;
        if (e.closeAfter) { c.closing = true; c.announced = true; }
      } else if (e.kind === 'body') {
        if (r.head?.status !== 200 || r.done) continue;
        r.received += e.data.length;
        if (r.received > r.maxBytes) {
          // Not worth reading the rest of a body that may be huge: the requests behind it go again elsewhere.
          const error = new BodyTooLargeError(r.maxBytes, r.received);
          settle(r, error);
          this.drop(c, error);
          return;
        }
        r.parts.push(e.data);
      } else {
        c.inflight.shift();
        c.answered += 1;
        // A client reads nothing after a response carrying `close` (RFC 9112 §9.6): the requests behind it go again.
        if (c.closing && c.announced) c.socket.destroy();
        const head = r.head!;
        const body = r.parts.length === 1 ? r.parts[0]! : Buffer.concat(r.parts, r.received);
        r.parts = [];
        if (!r.done) {
          r.done = true;
          r.resolve({ status: head.status, reason: head.reason, headers: head.headers, body: head.status === 200 ? body : Buffer.alloc(0) });
        }
      }
    }
    if (c.inflight.length === 0 && c.closing) c.socket.destroy();
    else if (this.queue.length > 0) this.schedulePump();
  }

  /** Stops using a connection for `error`; `closedConnection` then fails or re-queues its requests. */
  private drop(c: Connection, error: Error): void {
    c.failure ??= error;
    c.closing = true;
    c.socket.destroy();
  }

  private closedConnection(c: Connection): void {
    if (!this.connections.delete(c)) return;
    c.closing = true;
    const lost = c.inflight.splice(0);
    // A server that closes after a single response is not keeping connections alive: one request each from now on.
    if (c.answered <= 1 && lost.length > 0) this.depth = 1;
    const again: Request[] = [];
    for (const [i, r] of lost.entries()) {
      if (r.done) continue;
      if (r.signal.aborted) { settle(r, r.signal.reason); continue; }
      const started = i === 0 && r.head !== undefined;
      if (started || c.stalled || (i === 0 && c.failure instanceof DecodeError)) {
        settle(r, c.failure ?? new Error('connection closed inside the response'));
        continue;
      }
      // Only the request the connection died in front of is charged; the ones behind it never had their turn.
      if (!c.announced && i === 0) r.attempts += 1;
      if (r.attempts >= this.maxAttempts) {
        // keep the socket error's code (ECONNREFUSED, a TLS verification code) for the caller's hints
        settle(r, Object.assign(new Error(`connection closed before the response${c.failure ? ` (${c.failure.message})` : ''}`, { cause: c.failure }),
          { code: (c.failure as NodeJS.ErrnoException | undefined)?.code }));
        continue;
      }
      r.head = undefined;
      r.parts = [];
      r.received = 0;
      again.push(r);
    }
    this.queue.unshift(...again);
    if (this.queue.length > 0 && !this.closed) this.schedulePump();
  }
}

function settle(r: Request, error: unknown): void {
  if (r.done) return;
  r.done = true;
  r.parts = [];
  r.reject(error);
}
