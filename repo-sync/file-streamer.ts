/**
 * Sends a file range as a response body, the headers written by Node first. Two paths:
 *
 * - sendfile(2) (send-file-addon.ts, when built): the kernel moves the bytes from the page cache
 *   into the socket; no byte is read into or copied by JavaScript. Taken for a plain TCP socket
 *   once Node has put the headers into it and when Node does not chunk the body (Content-Length). Node then ends
 *   the response, so its HTTP state (keep-alive, the next request on the connection) stays its own.
 * - the stream path: two reused buffers, reading chunk n+1 while chunk n is being written, a
 *   buffer reused only after its write completed (fs.createReadStream allocates a buffer per
 *   chunk, and that allocation and its page faults cost more than the copying). Taken for TLS,
 *   without the addon, when the headers are still queued in Node, or when sendfile cannot read
 *   the file at all. Buffer pairs are kept for the next response (a few: 2 × chunk per download).
 */
import { read } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { constants } from 'node:os';
import type { Socket } from 'node:net';
import { loadSendFileAddon, type SendFileAddon, type SendHandle } from './send-file-addon.js';

function readAt(fd: number, buffer: Buffer, length: number, position: number): Promise<number> {
  return new Promise((resolve, reject) => read(fd, buffer, 0, length, position, (error, bytesRead) => (error ? reject(error) : resolve(bytesRead))));
}

const { errno } = constants;
/** sendfile(2) failures that mean the client went away: the response is destroyed, nothing is thrown. */
const clientGone = new Set([errno.EPIPE, errno.ECONNRESET, errno.ECONNABORTED, errno.ENOTCONN, errno.ETIMEDOUT, errno.EHOSTUNREACH, errno.ENETUNREACH]);
/** sendfile(2) failures before any byte that mean it cannot read this file: the stream path sends it. */
const cannotSendfile = new Set([errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP]);

/** What the sendfile path did: finished (sent, or the client went away), or left it to the stream path. */
type Outcome = 'done' | 'fallback';

/** Node's descriptor for a plain TCP socket; undefined for TLS or anything without one. */
function tcpHandle(socket: Socket): { fd: number; writeQueueSize: number } | undefined {
  if ((socket as Socket & { encrypted?: boolean }).encrypted === true) return undefined;
  const handle = (socket as unknown as { _handle?: { fd?: unknown; writeQueueSize?: unknown } | null })._handle;
  if (handle === null || handle === undefined || typeof handle.fd !== 'number' || handle.fd < 0) return undefined;
  return { fd: handle.fd, writeQueueSize: typeof handle.writeQueueSize === 'number' ? handle.writeQueueSize : 0 };
}

export interface FileStreamerCounters {
  /** Bodies sent (or begun) with sendfile(2). */
  sendfile: number;
  /** Bodies sent through the stream path. */
  streamed: number;
}

export class FileStreamer {
  private readonly spare: [Buffer, Buffer][] = [];
  readonly counters: FileStreamerCounters = { sendfile: 0, streamed: 0 };

  /**
   * `addon`: the sendfile(2) addon (loaded when built), or null to use the stream path only.
   */
  constructor(
    readonly chunkBytes = 256 * 1024,
    private readonly maxSparePairs = 8,
    private readonly addon: SendFileAddon | null = loadSendFileAddon(),
  ) {}

  /**
   * Writes `size` bytes of the open file `fd` (the caller closes it, once this settles), from
   * byte `start` on, to `res` and ends it. Resolves when done or when the client went away (the
   * socket is destroyed then); rejects when reading fails or the file shrank, after destroying the
   * response (its Content-Length can no longer be kept).
   */
  async send(res: ServerResponse, fd: number, size: number, start = 0): Promise<void> {
    if (this.addon !== null && size > 0 && (await this.sendfile(this.addon, res, fd, size, start)) === 'done') return;
    if (res.destroyed) return;
    this.counters.streamed += 1;
    await this.stream(res, fd, size, start);
  }

  private sendfile(addon: SendFileAddon, res: ServerResponse, fd: number, size: number, start: number): Promise<Outcome> {
    const socket = res.socket;
    if (socket === null || socket.destroyed || res.destroyed) return Promise.resolve(res.destroyed || socket?.destroyed === true ? 'done' : 'fallback');
    if (tcpHandle(socket) === undefined) return Promise.resolve('fallback');
    res.flushHeaders();
    const handle = tcpHandle(socket);
    // Only a body Node does not frame may follow the headers raw: a chunked one goes by the stream
    // path. And the headers must be in the kernel before the body: still queued in Node, they go
    // first by the stream path too.
    const chunked = (res as ServerResponse & { chunkedEncoding?: boolean }).chunkedEncoding !== false;
    if (chunked || handle === undefined || socket.writableLength !== 0 || handle.writeQueueSize !== 0) return Promise.resolve('fallback');
    // Node sees no writes while the kernel sends, so an idle timeout would cut a long download: off while sending.
    const idleTimeout = socket.timeout ?? 0;
    if (idleTimeout > 0) socket.setTimeout(0);
    return new Promise<Outcome>((resolve, reject) => {
      let sending: SendHandle | undefined;
      const settle = (): void => {
        socket.off('close', onClose);
        if (idleTimeout > 0 && !socket.destroyed) socket.setTimeout(idleTimeout);
      };
      // The client went away: stop at once (the caller then closes the file).
      const onClose = (): void => {
        if (sending !== undefined) addon.cancel(sending);
        settle();
        resolve('done');
      };
      const started = addon.start(handle.fd, fd, start, size, (code, sent) => {
        settle();
        const error = -code;
        if (code === 0) {
          res.end();
          resolve('done');
        } else if (sent === 0 && cannotSendfile.has(error)) {
          resolve('fallback');
        } else if (clientGone.has(error)) {
          res.destroy();
          resolve('done');
        } else {
          res.destroy();
          reject(error === errno.ENODATA ? new Error(`file shrank while being sent: ${sent} of ${size} bytes`) : new Error(`sendfile failed after ${sent} of ${size} bytes: errno ${error}`));
        }
      });
      if (typeof started === 'number') {
        settle();
        resolve('fallback');
        return;
      }
      sending = started;
      this.counters.sendfile += 1;
      socket.once('close', onClose);
    });
  }

  private async stream(res: ServerResponse, fd: number, size: number, start: number): Promise<void> {
    const pair = this.spare.pop() ?? [Buffer.allocUnsafeSlow(this.chunkBytes), Buffer.allocUnsafeSlow(this.chunkBytes)];
    const written: [Promise<void>, Promise<void>] = [Promise.resolve(), Promise.resolve()];
    try {
      let position = 0;
      let slot = 0;
      while (position < size) {
        await written[slot];
        if (res.destroyed) return;
        const buffer = pair[slot]!;
        const bytesRead = await readAt(fd, buffer, Math.min(this.chunkBytes, size - position), start + position);
        if (bytesRead === 0) throw new Error(`file shrank while being sent: ${position} of ${size} bytes`);
        position += bytesRead;
        const chunk = bytesRead === buffer.length ? buffer : buffer.subarray(0, bytesRead);
        written[slot] = new Promise((resolve) => res.write(chunk, () => resolve()));
        slot ^= 1;
      }
      await Promise.all(written);
      res.end();
    } catch (error) {
      res.destroy();
      throw error;
    } finally {
      // Only a response that completed gives its pair back: after a failure or a hang-up a write
      // may still hold a buffer.
      if (!res.destroyed && this.spare.length < this.maxSparePairs) this.spare.push(pair);
    }
  }
}
