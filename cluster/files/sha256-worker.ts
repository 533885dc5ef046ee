/**
 * A SHA-256 computed in a worker thread, so that hashing a large transfer overlaps receiving and
 * writing it instead of taking turns with them on the main thread.
 *
 * The bytes are never copied to the worker: `update` takes a view of a SharedArrayBuffer (see
 * `sharedBuffer`) and resolves once the worker hashed it, after which the caller may fill that
 * memory again. Requests are taken in order, so the digest covers the bytes in the order given.
 * `updateFromFile` hashes a file's first bytes (the part a resumed transfer already holds);
 * `follow` hashes a file while another process (curl) writes it, reading it from the page cache.
 */
import { Worker } from 'node:worker_threads';

/** The worker's code (plain CommonJS, evaluated: it runs the same from sources and from dist). */
const WORKER_CODE = `
const { parentPort } = require('node:worker_threads');
const { createHash } = require('node:crypto');
const { openSync, readSync, closeSync, fstatSync } = require('node:fs');
let hash = createHash('sha256');
// Hashes the first m.length bytes of the file at m.path while another process writes it: reads
// what is there, waits (a few ms at a time, or until told) for more, and ends when every byte was
// hashed and the writer ended (control[0] set). The file growing past m.length, or ending short
// once the writer ended, is an error; control[1] set stops it. Bytes hashed so far: progress[0].
function follow(m) {
  const control = new Int32Array(m.control, 0, 2);
  const progress = new BigInt64Array(m.control, 8, 1);
  const chunk = Buffer.allocUnsafeSlow(4 << 20);
  const ended = () => Atomics.load(control, 0) === 1;
  const stopped = () => {
    if (Atomics.load(control, 1) === 1) throw new Error('stopped');
  };
  let fd;
  while (fd === undefined) {
    try {
      fd = openSync(m.path, 'r');
    } catch (error) {
      if (error.code !== 'ENOENT') throw error;
      if (ended()) throw new Error(m.path + ' ended after 0 of ' + m.length + ' bytes');
      stopped();
      Atomics.wait(control, 0, 0, 5);
    }
  }
  const longer = () => {
    const size = fstatSync(fd).size;
    if (size > m.length) throw new Error(m.path + ' grew to ' + size + ' bytes, past the ' + m.length + ' expected');
  };
  try {
    for (let at = 0; ; ) {
      stopped();
      longer();
      if (at === m.length) {
        if (ended()) break;
        Atomics.wait(control, 0, 0, 5);
        continue;
      }
      const wasEnded = ended();
      const n = readSync(fd, chunk, 0, Math.min(chunk.length, m.length - at), at);
      if (n > 0) {
        hash.update(chunk.subarray(0, n));
        at += n;
        Atomics.store(progress, 0, BigInt(at));
      } else if (wasEnded) {
        throw new Error(m.path + ' ended after ' + at + ' of ' + m.length + ' bytes');
      } else {
        Atomics.wait(control, 0, 0, 5);
      }
    }
  } finally {
    closeSync(fd);
  }
}
parentPort.on('message', (m) => {
  try {
    if (m.op === 'update') {
      hash.update(new Uint8Array(m.memory, m.offset, m.length));
      parentPort.postMessage({ id: m.id });
    } else if (m.op === 'file') {
      const fd = openSync(m.path, 'r');
      try {
        const chunk = Buffer.allocUnsafe(1 << 20);
        for (let at = 0; at < m.length; ) {
          const n = readSync(fd, chunk, 0, Math.min(chunk.length, m.length - at), at);
          if (n === 0) throw new Error(m.path + ' ended after ' + at + ' of ' + m.length + ' bytes');
          hash.update(chunk.subarray(0, n));
          at += n;
        }
      } finally {
        closeSync(fd);
      }
      parentPort.postMessage({ id: m.id });
    } else if (m.op === 'follow') {
      follow(m);
      parentPort.postMessage({ id: m.id });
    } else if (m.op === 'digest') {
      parentPort.postMessage({ id: m.id, digest: hash.digest('hex') });
      hash = createHash('sha256');
    }
  } catch (error) {
    parentPort.postMessage({ id: m.id, error: String(error && error.message || error) });
  }
});
`;

/** A Buffer over shared memory, which `update` hands to the worker without a copy. */
export function sharedBuffer(bytes: number): Buffer {
  return Buffer.from(new SharedArrayBuffer(bytes));
}

/** What the caller of `WorkerSha256.follow` tells the hashing thread, and what it reads back. */
export class FollowControl {
  readonly memory = new SharedArrayBuffer(16);
  private readonly flags = new Int32Array(this.memory, 0, 2);
  private readonly progress = new BigInt64Array(this.memory, 8, 1);

  /** The writer ended: what the file holds now is all there is. */
  ended(): void {
    Atomics.store(this.flags, 0, 1);
    Atomics.notify(this.flags, 0);
  }

  /** Stop following (the hashing thread ends its `follow` with an error). */
  stop(): void {
    Atomics.store(this.flags, 1, 1);
    Atomics.store(this.flags, 0, 1);
    Atomics.notify(this.flags, 0);
  }

  /** Bytes of the file hashed so far. */
  hashed(): number {
    return Number(Atomics.load(this.progress, 0));
  }
}

export class WorkerSha256 {
  private readonly worker: Worker;
  private readonly waiting = new Map<number, { resolve: (digest: string | undefined) => void; reject: (error: Error) => void }>();
  private next = 0;
  private failure: Error | undefined;

  constructor() {
    this.worker = new Worker(WORKER_CODE, { eval: true });
    this.worker.on('message', (m: { id: number; digest?: string; error?: string }) => {
      const w = this.waiting.get(m.id);
      this.waiting.delete(m.id);
      if (m.error !== undefined) w?.reject(new Error(`hashing failed: ${m.error}`));
      else w?.resolve(m.digest);
    });
    this.worker.on('error', (error) => this.fail(error));
    this.worker.on('exit', (code) => this.fail(new Error(`the hashing thread ended (${code})`)));
  }

  /** Hashes `length` bytes of `view` (a view of a SharedArrayBuffer); resolves when its memory may be filled again. */
  update(view: Buffer, length: number): Promise<void> {
    if (!(view.buffer instanceof SharedArrayBuffer)) throw new TypeError('WorkerSha256.update takes a view of shared memory (sharedBuffer)');
    return this.ask({ op: 'update', memory: view.buffer, offset: view.byteOffset, length }).then(() => undefined);
  }

  /** Hashes the first `length` bytes of the file at `path`. */
  updateFromFile(path: string, length: number): Promise<void> {
    return length === 0 ? Promise.resolve() : this.ask({ op: 'file', path, length }).then(() => undefined);
  }

  /**
   * Hashes the first `length` bytes of the file at `path` while another process writes it (see
   * `FollowControl`): resolves once every byte was hashed and the writer was told ended; rejects
   * when the file grows past `length`, ends short, or `stop` was called.
   */
  follow(path: string, length: number, control: FollowControl): Promise<void> {
    return this.ask({ op: 'follow', path, length, control: control.memory }).then(() => undefined);
  }

  /** The hex digest of everything given so far (after which it starts again from nothing). */
  async digest(): Promise<string> {
    return (await this.ask({ op: 'digest' }))!;
  }

  async close(): Promise<void> {
    this.failure ??= new Error('the hashing thread was closed');
    await this.worker.terminate();
  }

  private ask(message: Record<string, unknown>): Promise<string | undefined> {
    if (this.failure !== undefined) return Promise.reject(this.failure);
    const id = this.next++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      this.worker.postMessage({ ...message, id });
    });
  }

  private fail(error: Error): void {
    this.failure ??= error;
    for (const w of this.waiting.values()) w.reject(this.failure);
    this.waiting.clear();
  }
}
