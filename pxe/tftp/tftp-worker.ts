/**
 * The TFTP server on its own thread: `startTftpWorker` takes the options `startTftpServer` takes
 * and returns the same `TftpServer`, but the listener and every transfer run in a worker thread
 * (tftp-worker-main.ts) with its own event loop. The main thread answers the worker's requests
 * (open a file through `source`, read a range of it), records its timeline events, writes its
 * log lines through `logger` and keeps the counters the API reads, updated by message once per
 * worker loop turn in which they changed.
 */
import { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import { createCounters } from './counters.js';
import type { OpenFile } from './file-source.js';
import type { TftpServer, TftpServerOptions } from './server.js';
import type { FromWorker, ToWorker, WorkerStart } from './worker-messages.js';

/**
 * The worker: the entry beside this file, .js from dist/; under TypeScript sources (tests) a
 * small CommonJS bootstrap registers tsx in the worker first, then imports the .ts entry.
 */
function startWorker(workerData: WorkerStart): Worker {
  if (!import.meta.url.endsWith('.ts')) return new Worker(new URL('./tftp-worker-main.js', import.meta.url), { workerData });
  const entry = new URL('./tftp-worker-main.ts', import.meta.url).href;
  const bootstrap = `import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(entry)}); }).catch((error) => { throw error; });`;
  return new Worker(bootstrap, { eval: true, workerData, execArgv: [] });
}

export async function startTftpWorker(options: TftpServerOptions): Promise<TftpServer> {
  const { logger } = options;
  const start: WorkerStart = {
    host: options.host,
    port: options.port,
    limits: { ...options.limits },
    blksizeMax: options.blksizeMax,
    ...(options.windowsizeMax === undefined ? {} : { windowsizeMax: options.windowsizeMax }),
    ...(options.windowBytesMax === undefined ? {} : { windowBytesMax: options.windowBytesMax }),
    ...(options.retransmit === undefined ? {} : { retransmit: { ...options.retransmit } }),
    ...(options.nativeSockets === undefined ? {} : { nativeSockets: options.nativeSockets }),
    logLevel: logger.level,
  };
  const worker = startWorker(start);
  const counters = options.counters ?? createCounters();
  const files = new Map<number, OpenFile>();
  let nextFile = 1;
  let closed = false;
  let onClosed: () => void = () => undefined;
  const send = (message: ToWorker, transfer: ArrayBuffer[] = []): void => worker.postMessage(message, transfer);
  const errorText = (error: unknown): string => (error instanceof Error ? error.message : String(error));

  const forwardLog = (line: string): void => {
    let record: Record<string, unknown>;
    try {
      record = JSON.parse(line) as Record<string, unknown>;
    } catch {
      return;
    }
    const { level, msg, ...fields } = record;
    const label = typeof level === 'number' ? logger.levels.labels[level] : undefined;
    const write = label === undefined ? undefined : (logger as unknown as Record<string, ((obj: object, msg?: string) => void) | undefined>)[label];
    write?.call(logger, fields, typeof msg === 'string' ? msg : undefined);
  };

  const ready = new Promise<{ address: { address: string; port: number }; sockets: 'native' | 'dgram' }>((resolve, reject) => {
    worker.on('message', (message: FromWorker) => {
      switch (message.type) {
        case 'ready':
          resolve(message);
          return;
        case 'failed':
          reject(Object.assign(new Error(message.message), message.code === undefined ? {} : { code: message.code }));
          return;
        case 'open':
          options.source.open(message.path, message.peer).then(
            (result) => {
              if (result.kind !== 'file') return send({ type: 'reply', id: message.id, open: result });
              if (closed) {
                void result.file.close().catch(() => undefined);
                return send({ type: 'reply', id: message.id, error: 'server closing' });
              }
              const file = nextFile++;
              files.set(file, result.file);
              const { fd } = result.file;
              send({ type: 'reply', id: message.id, open: { kind: 'file', file, size: result.file.size, ...(fd === undefined ? {} : { fd }) } });
            },
            (error: unknown) => send({ type: 'reply', id: message.id, error: errorText(error) }),
          );
          return;
        case 'read': {
          const file = files.get(message.file);
          if (file === undefined) return send({ type: 'reply', id: message.id, error: 'file not open' });
          const bytes = Buffer.allocUnsafeSlow(message.length);
          file.read([bytes], message.position).then(
            (n) => send({ type: 'reply', id: message.id, bytes: new Uint8Array(bytes.buffer, 0, n) }, [bytes.buffer as ArrayBuffer]),
            (error: unknown) => send({ type: 'reply', id: message.id, error: errorText(error) }),
          );
          return;
        }
        case 'close-file':
          void files.get(message.file)?.close().catch(() => undefined);
          files.delete(message.file);
          return;
        case 'timeline':
          options.timeline?.record(message.event);
          return;
        case 'log':
          forwardLog(message.line);
          return;
        case 'counters':
          Object.assign(counters, message.counters);
          return;
        case 'closed':
          onClosed();
          return;
      }
    });
    worker.once('error', (error) => {
      logger.error({ err: error }, 'tftp worker thread failed');
      reject(error);
    });
    worker.once('exit', (code) => {
      onClosed();
      if (!closed) logger.error({ code }, 'tftp worker thread exited');
      reject(new Error(`tftp worker exited with code ${code}`));
    });
  });

  let started: Awaited<typeof ready>;
  try {
    started = await ready;
  } catch (error) {
    closed = true;
    await worker.terminate();
    throw error;
  }
  return {
    address: started.address,
    counters,
    sockets: started.sockets,
    async close() {
      if (closed) return;
      closed = true;
      const done = new Promise<void>((resolve) => (onClosed = resolve));
      send({ type: 'close' });
      await done;
      await worker.terminate();
      await Promise.allSettled([...files.values()].map((f) => f.close()));
      files.clear();
    },
  };
}
