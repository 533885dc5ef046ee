/**
 * One HTTP/1.1 GET over its own connection (TCP, or TLS for https:), the body read into ONE
 * reused buffer (the socket's `onread`): no buffer is allocated per read and no HTTP parser sees
 * the body's bytes, which is where node:http's client spends most of its CPU on a large download.
 *
 *   - The answer's head is parsed here (status line, headers); the body is then handed out as
 *     views of the read buffer, each valid until the callback returns or, when it returns a promise, until that settles.
 *   - A callback that returns a promise pauses the socket until it settles (the writer's pace).
 *   - `Connection: close`: the body ends at Content-Length (`body`) or when the Striker closes
 *     (`text`, for answers that are not the bytes).
 *   - Silence for `idleTimeoutMs` (before the head or within the body) and the signal end it.
 */
import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect, type ConnectionOptions } from 'node:tls';

export interface StreamedGetOptions {
  signal: AbortSignal;
  idleTimeoutMs: number;
  /** Size of the read buffer (bytes). */
  readBytes: number;
}

export interface StreamedResponse {
  statusCode: number;
  /** Header names in lower case; a repeated header keeps its last value. */
  headers: Record<string, string>;
  /** Hands every body byte to `onChunk`, in order; resolves once Content-Length bytes arrived. */
  body(onChunk: (chunk: Buffer) => void | Promise<void>): Promise<void>;
  /** The body as text (at most `maxBytes`), read until Content-Length or the connection's end. */
  text(maxBytes: number): Promise<string>;
  destroy(): void;
}

const HEAD_MAX = 64 * 1024;

export function streamedGet(url: string, headers: Record<string, string>, options: StreamedGetOptions): Promise<StreamedResponse> {
  const u = new URL(url);
  const tls = u.protocol === 'https:';
  if (!tls && u.protocol !== 'http:') return Promise.reject(new TypeError(`not an http(s) URL: ${url}`));
  const host = u.hostname.replace(/^\[(.*)\]$/, '$1');
  const port = Number(u.port || (tls ? 443 : 80));
  const readBuffer = Buffer.allocUnsafe(options.readBytes);

  return new Promise<StreamedResponse>((resolve, reject) => {
    let head: Buffer = Buffer.alloc(0);
    let response: StreamedResponse | undefined;
    /** Body bytes that came with the head or before `body`/`text` took over. */
    let early: Buffer[] = [];
    let sink: ((chunk: Buffer) => void | Promise<void>) | undefined;
    let finish: ((error?: Error) => void) | undefined;
    let failure: Error | undefined;
    let ended = false;

    const fail = (error: Error) => {
      if (failure !== undefined) return;
      failure = error;
      socket.destroy();
      if (response === undefined) reject(error);
      finish?.(error);
    };
    const deliver = (chunk: Buffer): boolean => {
      if (sink === undefined) {
        early.push(Buffer.from(chunk));
        return false;
      }
      let out: void | Promise<void>;
      try {
        out = sink(chunk);
      } catch (error) {
        fail(error instanceof Error ? error : new Error(String(error)));
        return false;
      }
      if (out instanceof Promise) {
        out.then(() => {
          if (failure === undefined && !ended) socket.resume();
        }, (error: unknown) => fail(error instanceof Error ? error : new Error(String(error))));
        return false;
      }
      return true;
    };
    const onRead = (length: number, buffer: Buffer): boolean => {
      if (failure !== undefined) return false;
      const chunk = buffer.subarray(0, length);
      if (response !== undefined) return deliver(chunk);
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) {
        if (head.length > HEAD_MAX) fail(new Error(`the answer's head is longer than ${HEAD_MAX} bytes`));
        return true;
      }
      const lines = head.subarray(0, end).toString('latin1').split('\r\n');
      const status = /^HTTP\/1\.[01] (\d{3})/.exec(lines[0] ?? '');
      if (status === null) {
        fail(new Error(`not an HTTP answer: '${(lines[0] ?? '').slice(0, 80)}'`));
        return false;
      }
      const fields: Record<string, string> = {};
      for (const line of lines.slice(1)) {
        const colon = line.indexOf(':');
        if (colon > 0) fields[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
      }
      const rest = head.subarray(end + 4);
      if (rest.length > 0) early.push(Buffer.from(rest));
      head = Buffer.alloc(0);
      response = makeResponse(Number(status[1]), fields);
      resolve(response);
      return false;
    };

    const makeResponse = (statusCode: number, fields: Record<string, string>): StreamedResponse => {
      const declared = fields['content-length'] === undefined ? undefined : Number(fields['content-length']);
      const run = (onChunk: (chunk: Buffer) => void | Promise<void>, untilClose: boolean) =>
        new Promise<void>((done, stop) => {
          if (!untilClose && (declared === undefined || !Number.isSafeInteger(declared) || declared < 0)) {
            fail(new Error(`the answer has no usable Content-Length ('${fields['content-length'] ?? ''}')`));
          }
          let received = 0;
          finish = (error) => (error === undefined ? done() : stop(error));
          if (failure !== undefined) return finish(failure);
          sink = (chunk) => {
            const room = declared === undefined ? chunk.length : declared - received;
            const part = chunk.length > room ? chunk.subarray(0, room) : chunk;
            received += part.length;
            const out = part.length > 0 ? onChunk(part) : undefined;
            if (declared !== undefined && received >= declared) {
              ended = true;
              socket.destroy();
              const complete = () => finish?.();
              if (out instanceof Promise) return out.then(complete);
              complete();
            }
            return out;
          };
          const pending = early;
          early = [];
          const drain = async () => {
            for (const chunk of pending) {
              if (ended || failure !== undefined) return;
              const out = sink!(chunk);
              if (out instanceof Promise) await out;
            }
            if (!ended && failure === undefined) socket.resume();
          };
          drain().catch((error: unknown) => fail(error instanceof Error ? error : new Error(String(error))));
        });
      return {
        statusCode,
        headers: fields,
        body: (onChunk) => run(onChunk, false),
        text: async (maxBytes) => {
          const parts: Buffer[] = [];
          let size = 0;
          await run((chunk) => {
            if (size < maxBytes) parts.push(Buffer.from(chunk.subarray(0, maxBytes - size)));
            size += chunk.length;
          }, true).catch(() => undefined);
          return Buffer.concat(parts).toString('utf8');
        },
        destroy: () => {
          ended = true;
          socket.destroy();
        },
      };
    };

    const onread = { buffer: readBuffer, callback: onRead };
    const socket: Socket = tls ? tlsConnect({ host, port, servername: host, onread } as ConnectionOptions) : netConnect({ host, port, onread });
    socket.setNoDelay(true);
    socket.setTimeout(options.idleTimeoutMs, () => fail(new Error(`the Striker was silent for ${options.idleTimeoutMs} ms`)));
    socket.on('error', (error) => fail(error));
    socket.on('end', () => {
      if (ended) return;
      ended = true;
      if (response === undefined) fail(new Error('the Striker closed the connection before answering'));
      else if (lengthOf(response) === undefined) finish?.();
      else fail(new Error('the Striker closed the connection before the whole answer'));
    });
    socket.on('close', () => {
      if (!ended && failure === undefined) fail(new Error('the connection closed'));
    });
    const onAbort = () => fail(options.signal.reason instanceof Error ? options.signal.reason : new Error('aborted'));
    if (options.signal.aborted) return onAbort();
    options.signal.addEventListener('abort', onAbort, { once: true });
    socket.once('close', () => options.signal.removeEventListener('abort', onAbort));
    const target = `${u.pathname}${u.search}`;
    const lines = [`GET ${target} HTTP/1.1`, `Host: ${u.host}`, 'Connection: close', ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`)];
    socket.write(`${lines.join('\r\n')}\r\n\r\n`);
  });
}

const lengthOf = (r: StreamedResponse): number | undefined => (r.headers['content-length'] === undefined ? undefined : Number(r.headers['content-length']));
