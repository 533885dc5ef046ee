/**
 * Puts verified small files into the content store from a worker thread, in batches. A repo is
 * thousands of files of a few KiB; writing each with fs.promises costs four thread-pool round trips
 * (open, write, close, rename), each a pair of context switches, and on 2 cores those switches,
 * not the bytes, were the largest cost of a first sync. The worker writes a whole batch with
 * synchronous calls (temp name, then rename(2), so a file appears in the store complete or not at
 * all) while the main thread goes on downloading; a batch is whatever queued while the previous
 * one was being written. The worker is shared by all syncs in the process and stops when idle.
 */
import { Worker } from 'node:worker_threads';

/** Plain CommonJS for `eval: true`, so it runs the same from TypeScript sources (tests) and from dist. */
const workerSource = `
const { parentPort } = require('node:worker_threads');
const { mkdirSync, renameSync, rmSync, writeFileSync } = require('node:fs');
const { dirname } = require('node:path');
const made = new Set();
function put({ tmp, target, body }) {
  const dir = dirname(target);
  if (!made.has(dir)) { mkdirSync(dir, { recursive: true }); made.add(dir); }
  try {
    writeFileSync(tmp, body);
  } catch (error) {
    if (error.code !== 'ENOENT') throw error;
    mkdirSync(dir, { recursive: true }); // the directory was removed since (store garbage collection)
    writeFileSync(tmp, body);
  }
  renameSync(tmp, target);
}
parentPort.on('message', (batch) => {
  parentPort.postMessage(batch.map((item) => {
    try {
      put(item);
      return null;
    } catch (error) {
      try { rmSync(item.tmp, { force: true }); } catch {}
      return { message: String(error && error.message || error), code: error && error.code };
    }
  }));
});
`;

interface Pending {
  readonly tmp: string;
  readonly target: string;
  readonly body: Uint8Array;
  readonly resolve: () => void;
  readonly reject: (error: Error) => void;
}

type Outcome = { message: string; code?: string } | null;

export class StoreWriter {
  private worker: Worker | undefined;
  private queue: Pending[] = [];
  private writing: Pending[] | null = null;
  private idleTimer: NodeJS.Timeout | undefined;

  constructor(private readonly idleMs = 5000) {}

  /** Resolves once `target` holds `body` (written to `tmp` first, then renamed). */
  write(tmp: string, target: string, body: Uint8Array): Promise<void> {
    return new Promise((resolve, reject) => {
      this.queue.push({ tmp, target, body, resolve, reject });
      if (this.writing === null) this.flush();
    });
  }

  /** Stops the worker; writes still queued fail. */
  async close(): Promise<void> {
    clearTimeout(this.idleTimer);
    const worker = this.worker;
    this.worker = undefined;
    this.failAll(new Error('store writer closed'));
    if (worker) await worker.terminate();
  }

  private flush(): void {
    if (this.queue.length === 0) {
      this.writing = null;
      this.idleTimer = setTimeout(() => void this.close(), this.idleMs).unref();
      return;
    }
    clearTimeout(this.idleTimer);
    const batch = this.queue;
    this.queue = [];
    this.writing = batch;
    this.ensureWorker().postMessage(batch.map(({ tmp, target, body }) => ({ tmp, target, body })));
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    // execArgv: [] — the worker runs plain CommonJS; it must not load the parent's loaders (tsx under tests) on start.
    const worker = new Worker(workerSource, { eval: true, execArgv: [] });
    worker.unref();
    worker.on('message', (outcomes: Outcome[]) => {
      const batch = this.writing ?? [];
      batch.forEach((item, i) => {
        const outcome = outcomes[i];
        if (outcome === null) item.resolve();
        else item.reject(Object.assign(new Error(`writing ${item.target}: ${outcome?.message ?? 'no answer'}`), { code: outcome?.code }));
      });
      this.flush();
    });
    worker.on('error', (error) => {
      this.worker = undefined;
      this.failAll(error);
    });
    worker.on('exit', () => {
      if (this.worker === worker) this.worker = undefined;
      this.failAll(new Error('store writer stopped'));
    });
    this.worker = worker;
    return worker;
  }

  private failAll(error: Error): void {
    const pending = [...(this.writing ?? []), ...this.queue];
    this.writing = null;
    this.queue = [];
    for (const item of pending) item.reject(error);
  }
}

/** The process's writer, shared by every sync (one worker, one queue). */
export const storeWriter = new StoreWriter();
