/**
 * Turns repo-sync's progress (phase, files, bytes) into a job's percent and message, with the
 * transfer rate and time left. Pure: the clock is passed in.
 */
import type { SyncPhase, SyncProgress } from './job-context.js';

/** Where each phase sits on the 0–99 bar. */
const BANDS: Record<SyncPhase, [number, number]> = {
  metadata: [0, 5],
  plan: [5, 8],
  download: [8, 85],
  extract: [8, 85],
  verify: [85, 90],
  publish: [90, 99],
  done: [99, 99],
};

export interface ProgressReport {
  percent: number;
  message: string;
  vars: Record<string, unknown>;
}

export class TransferMeter {
  private startedAt: number | undefined;
  private startBytes = 0;

  report(p: SyncProgress, now: number): ProgressReport {
    const [lo, hi] = BANDS[p.phase];
    const fraction = p.bytesTotal > 0 ? p.bytesDone / p.bytesTotal : p.filesTotal > 0 ? p.filesDone / p.filesTotal : 0;
    const percent = Math.floor(lo + (hi - lo) * Math.min(1, Math.max(0, fraction)));
    if ((p.phase === 'download' || p.phase === 'extract') && this.startedAt === undefined) {
      this.startedAt = now;
      this.startBytes = p.bytesDone;
    }
    const seconds = this.startedAt === undefined ? 0 : (now - this.startedAt) / 1000;
    const rate = seconds > 0.5 ? (p.bytesDone - this.startBytes) / seconds : 0;
    const etaSeconds = rate > 0 && p.bytesTotal > p.bytesDone ? Math.ceil((p.bytesTotal - p.bytesDone) / rate) : null;
    const vars = {
      phase: p.phase,
      files: p.filesDone,
      filesTotal: p.filesTotal,
      mb: (p.bytesDone / 1e6).toFixed(1),
      mbTotal: (p.bytesTotal / 1e6).toFixed(1),
      rate: (rate / 1e6).toFixed(1),
      eta: etaSeconds === null ? '?' : formatDuration(etaSeconds),
      detail: p.message,
    };
    const message =
      p.phase === 'download' || p.phase === 'extract'
        ? '{phase}: {files} of {filesTotal} files, {mb} of {mbTotal} MB at {rate} MB/s, {eta} left'
        : '{phase}: {detail}';
    return { percent, message, vars };
  }
}

/**
 * Files and bytes of a download phase, counted so that a resumed sync continues where the last one
 * stopped: packages already in the store and the bytes already in partial files count as done, a
 * file never counts for more than its size, and a finished file counts for exactly its size. The
 * bar and the text are both made from these figures (TransferMeter), so they cannot disagree.
 */
export class DownloadTally {
  private readonly perFile = new Map<string, { size: number; done: number }>();
  private bytes: number;
  private files: number;

  constructor(private readonly totals: { files: number; bytes: number }, present: { files: number; bytes: number }) {
    this.files = present.files;
    this.bytes = present.bytes;
  }

  /** A download begins; `have` bytes of it are already on disk (a partial file being resumed). */
  begin(key: string, size: number, have = 0): void {
    const done = Math.max(0, Math.min(size, have));
    this.perFile.set(key, { size, done });
    this.bytes += done;
  }

  /** `n` more bytes of `key` arrived. */
  add(key: string, n: number): void {
    const f = this.perFile.get(key);
    if (!f) return;
    const next = Math.min(f.size, f.done + n);
    this.bytes += next - f.done;
    f.done = next;
  }

  /** `key` is in the store. */
  finish(key: string): void {
    const f = this.perFile.get(key);
    if (f) this.bytes += f.size - f.done;
    this.perFile.delete(key);
    this.files += 1;
  }

  progress(): { filesDone: number; filesTotal: number; bytesDone: number; bytesTotal: number } {
    return { filesDone: this.files, filesTotal: this.totals.files, bytesDone: this.bytes, bytesTotal: this.totals.bytes };
  }
}

export function formatDuration(seconds: number): string {
  if (seconds < 60) return `${seconds} s`;
  const m = Math.floor(seconds / 60);
  if (m < 60) return `${m} min ${seconds % 60} s`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}
