/**
 * Sends a whole file as a response body through two reused buffers: read chunk n+1 while chunk n
 * is being written, and reuse a buffer only after its write has completed. Node has no sendfile(2);
 * fs.createReadStream allocates a fresh buffer per chunk, and that allocation and its page faults,
 * not the copying, dominate a large download. Buffer pairs are kept for the
 * next response (a few, so memory stays bounded: 2 × chunk per download in flight).
 */
import { read } from 'node:fs';
import type { ServerResponse } from 'node:http';

function readAt(fd: number, buffer: Buffer, length: number, position: number): Promise<number> {
  return new Promise((resolve, reject) => read(fd, buffer, 0, length, position, (error, bytesRead) => (error ? reject(error) : resolve(bytesRead))));
}

export class FileStreamer {
  private readonly spare: [Buffer, Buffer][] = [];

  constructor(readonly chunkBytes = 256 * 1024, private readonly maxSparePairs = 8) {}

  /**
   * Writes `size` bytes of the open file `fd` (the caller closes it), from byte `start` on, to
   * `res` and ends it. Resolves when done or when the client went away (the socket is destroyed
   * then); rejects when reading fails or the file shrank, after destroying the response (its
   * Content-Length can no longer be kept).
   */
  async send(res: ServerResponse, fd: number, size: number, start = 0): Promise<void> {
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
