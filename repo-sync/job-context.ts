/**
 * What a long repo operation (sync, ISO import) receives so it can run inside a job: a cancel
 * signal, a progress callback (files and bytes; the job layer derives rate and ETA), and a logger.
 */
import type { Logger } from 'pino';

export type SyncPhase = 'metadata' | 'plan' | 'download' | 'verify' | 'publish' | 'extract' | 'done';

export interface SyncProgress {
  phase: SyncPhase;
  filesDone: number;
  filesTotal: number;
  bytesDone: number;
  bytesTotal: number;
  message: string;
}

export interface JobContext {
  signal: AbortSignal;
  progress: (p: SyncProgress) => void;
  logger: Logger;
}

/** Throws the signal's reason (an AbortError) when the job was cancelled. */
export function throwIfCancelled(signal: AbortSignal): void {
  signal.throwIfAborted();
}
