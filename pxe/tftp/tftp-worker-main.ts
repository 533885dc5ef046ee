/**
 * The TFTP worker thread's entry (started by tftp-worker.ts): runs `startTftpServer` — the
 * listener, every transfer's sockets and timers, the pure `step()` — on this thread's own event
 * loop, so HTTP downloads and database work on the main thread do not delay DATA blocks. What it
 * needs from the main thread goes by message (worker-messages.ts): files are opened there (boot
 * configs are rendered from the database); a file on disk comes back as its descriptor, which
 * this thread reads itself straight into the transfer's ring, while an in-memory file is read
 * there (a read fills a whole read-ahead ring, up to 1 MiB, so a file is a few messages); and
 * timeline events, log lines and counters go back.
 */
import { parentPort, workerData } from 'node:worker_threads';
import pino from 'pino';
import type { BootTimeline } from '../boot/timeline.js';
import { createCounters, type TftpCounters } from './counters.js';
import { descriptorFile } from './directory-source.js';
import type { FileSource, OpenFile, OpenResult } from './file-source.js';
import { startTftpServer } from './server.js';
import type { FromWorker, OpenReply, ToWorker, WorkerStart } from './worker-messages.js';

const port = parentPort;
if (port === null) throw new Error('tftp-worker-main.ts runs only as a worker thread');
const start = workerData as WorkerStart;
const post = (message: FromWorker): void => port.postMessage(message);

const waiting = new Map<number, { resolve: (reply: Extract<ToWorker, { type: 'reply' }>) => void }>();
let nextId = 1;
function ask(message: { type: 'open'; path: string; peer: { address: string; port: number } } | { type: 'read'; file: number; position: number; length: number }): Promise<Extract<ToWorker, { type: 'reply' }>> {
  const id = nextId++;
  return new Promise((resolve) => {
    waiting.set(id, { resolve });
    post({ ...message, id });
  });
}

function remoteFile(file: number, size: number): OpenFile {
  return {
    size,
    async read(targets, position) {
      const length = targets.reduce((n, t) => n + t.length, 0);
      const reply = await ask({ type: 'read', file, position, length });
      if (reply.error !== undefined || reply.bytes === undefined) throw new Error(reply.error ?? 'no bytes');
      let at = 0;
      for (const target of targets) {
        if (at >= reply.bytes.length) break;
        const n = Math.min(target.length, reply.bytes.length - at);
        target.set(reply.bytes.subarray(at, at + n));
        at += n;
      }
      return at;
    },
    async close() {
      post({ type: 'close-file', file });
    },
  };
}

const source: FileSource = {
  async open(path, peer) {
    const reply = await ask({ type: 'open', path, peer: { address: peer.address, port: peer.port } });
    if (reply.error !== undefined || reply.open === undefined) throw new Error(reply.error ?? 'no answer');
    const opened: OpenReply = reply.open;
    if (opened.kind !== 'file') return opened;
    // A file on disk is read here, on this thread's own thread pool, straight into the transfer's
    // ring; the main thread keeps the descriptor and closes it on close-file, after the last read.
    const { file, fd } = opened;
    const local = fd === undefined ? remoteFile(file, opened.size) : descriptorFile(fd, opened.size, async () => post({ type: 'close-file', file }));
    return { kind: 'file', file: local } satisfies OpenResult;
  },
};

const timeline: BootTimeline = { record: (event) => post({ type: 'timeline', event }) };
const logger = pino({ level: start.logLevel, base: null, timestamp: false }, { write: (line: string) => post({ type: 'log', line }) });

/** Counters that post themselves to the main thread once per loop turn in which any changed. */
function trackedCounters(): TftpCounters {
  let scheduled = false;
  const changed = (): void => {
    if (scheduled) return;
    scheduled = true;
    setImmediate(() => {
      scheduled = false;
      post({ type: 'counters', counters: JSON.parse(JSON.stringify(counters)) as TftpCounters });
    });
  };
  const track = <T extends object>(target: T): T =>
    new Proxy(target, {
      set(object, key, value: unknown) {
        Reflect.set(object, key, typeof value === 'object' && value !== null ? track(value) : value);
        changed();
        return true;
      },
    });
  const plain = createCounters();
  const counters = track({ ...plain, refused: track(plain.refused), errors: track(plain.errors) });
  return counters;
}

const counters = trackedCounters();
try {
  const server = await startTftpServer({
    host: start.host,
    port: start.port,
    source,
    logger,
    timeline,
    limits: start.limits,
    blksizeMax: start.blksizeMax,
    ...(start.windowsizeMax === undefined ? {} : { windowsizeMax: start.windowsizeMax }),
    ...(start.windowBytesMax === undefined ? {} : { windowBytesMax: start.windowBytesMax }),
    ...(start.retransmit === undefined ? {} : { retransmit: start.retransmit }),
    ...(start.nativeSockets === undefined ? {} : { nativeSockets: start.nativeSockets }),
    counters,
  });
  port.on('message', (message: ToWorker) => {
    if (message.type === 'reply') {
      const w = waiting.get(message.id);
      waiting.delete(message.id);
      w?.resolve(message);
      return;
    }
    void server.close().then(() => {
      post({ type: 'counters', counters: JSON.parse(JSON.stringify(counters)) as TftpCounters });
      post({ type: 'closed' });
      port.close();
    });
  });
  post({ type: 'ready', address: { ...server.address }, sockets: server.sockets });
} catch (error) {
  const e = error as NodeJS.ErrnoException;
  post({ type: 'failed', message: e.message ?? String(error), ...(e.code === undefined ? {} : { code: e.code }) });
  port.close();
}
