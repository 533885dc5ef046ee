/**
 * The messages between the TFTP worker thread (tftp-worker-main.ts) and the main thread
 * (tftp-worker.ts). The worker runs the listener and every transfer; the main thread keeps what
 * needs the rest of Striker: the file sources (boot configs are rendered from the database), the
 * boot timeline, the logger and the counters the API reads.
 */
import type { BootEvent } from '../boot/timeline.js';
import type { TftpCounters } from './counters.js';
import type { OpenResult, Peer } from './file-source.js';
import type { RetransmitPolicy } from './transfer.js';

/** The worker's start options (workerData): what startTftpServer takes, minus what stays on the main thread. */
export interface WorkerStart {
  readonly host: string;
  readonly port: number;
  readonly limits: { readonly maxTransfers: number; readonly maxPerClient: number };
  readonly blksizeMax: number;
  readonly windowsizeMax?: number;
  readonly windowBytesMax?: number;
  readonly retransmit?: Partial<RetransmitPolicy>;
  readonly nativeSockets?: boolean;
  /** The main logger's level: the worker formats only what would be logged. */
  readonly logLevel: string;
}

/** Worker → main. `id` pairs a request with its reply. */
export type FromWorker =
  | { readonly type: 'ready'; readonly address: { address: string; port: number }; readonly sockets: 'native' | 'dgram' }
  | { readonly type: 'failed'; readonly message: string; readonly code?: string }
  | { readonly type: 'open'; readonly id: number; readonly path: string; readonly peer: Peer }
  | { readonly type: 'read'; readonly id: number; readonly file: number; readonly position: number; readonly length: number }
  | { readonly type: 'close-file'; readonly file: number }
  | { readonly type: 'timeline'; readonly event: BootEvent }
  | { readonly type: 'log'; readonly line: string }
  | { readonly type: 'counters'; readonly counters: TftpCounters }
  | { readonly type: 'closed' };

/** What the main thread answers an `open` with: a file becomes a number the worker reads through. */
export type OpenReply =
  | Exclude<OpenResult, { kind: 'file' }>
  /** `fd`: the file's open descriptor (a file on disk), which the worker reads itself until it sends close-file. */
  | { readonly kind: 'file'; readonly file: number; readonly size: number; readonly fd?: number };

/** Main → worker. */
export type ToWorker =
  | { readonly type: 'reply'; readonly id: number; readonly open?: OpenReply; readonly bytes?: Uint8Array; readonly error?: string }
  | { readonly type: 'close' };
