/**
 * Durable leases as an append-only journal file with group commit: every change waiting when a
 * write starts shares one O_DSYNC write (open(2): data on disk when write returns), so
 * thousands of ACKs per second cost a few synchronous writes. On start the journal is replayed (a torn last line from a crash is ignored);
 * when it has grown well past the live lease count it is compacted to a fresh file written
 * beside it, fsynced and renamed over it (rename(2) is atomic), then the directory is fsynced.
 *
 * Line format (tab-separated): kind, address, expiresAt (epoch ms), client key, MAC, host name.
 */
import { constants } from 'node:fs';
import { mkdir, open, readFile, rename, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { formatIpv4, parseIpv4 } from '../../striker/core/net/ipv4.js';
import type { Lease, LeaseChange, LeaseChangeKind } from './lease.js';
import type { LeaseStore } from './lease-store.js';

const FILE = 'leases.journal';

export interface LeaseJournalOptions {
  directory: string;
  logger: Logger;
  /** Compact when the journal has this many more lines than live leases (default 50,000). */
  compactSlack?: number;
}

export function encodeJournalLine(change: LeaseChange): string {
  const l = change.lease;
  return `${change.kind}\t${formatIpv4(l.ip)}\t${l.expiresAt}\t${l.clientKey}\t${l.mac}\t${l.hostname ?? ''}\n`;
}

const STATE: Record<Exclude<LeaseChangeKind, 'offer'>, Lease['state']> = { bind: 'bound', release: 'released', decline: 'declined' };

/** One journal line back to a change, or `undefined` when it is torn or damaged. */
export function decodeJournalLine(line: string): LeaseChange | undefined {
  const f = line.split('\t');
  if (f.length !== 6) return undefined;
  const [kind, ipText, expires, clientKey, mac, hostname] = f as [string, string, string, string, string, string];
  if (kind !== 'bind' && kind !== 'release' && kind !== 'decline') return undefined;
  const ip = parseIpv4(ipText);
  const expiresAt = Number(expires);
  if (ip === undefined || !Number.isSafeInteger(expiresAt) || clientKey === '' || mac === '') return undefined;
  const lease: Lease = { ip, clientKey, mac, state: STATE[kind], expiresAt };
  if (hostname !== '') lease.hostname = hostname;
  return { kind, lease };
}

export class LeaseJournal implements LeaseStore {
  private handle: FileHandle | undefined;
  private readonly live = new Map<number, Lease>();
  private lines = 0;
  private pending: string[] = [];
  private waiters: { resolve: () => void; reject: (e: unknown) => void }[] = [];
  private flushing = false;
  private scheduled = false;
  /** Number of synchronous writes made (one per group commit). */
  syncs = 0;
  damagedLines = 0;

  constructor(private readonly options: LeaseJournalOptions) {}

  private get path(): string {
    return join(this.options.directory, FILE);
  }

  async load(): Promise<Lease[]> {
    await mkdir(this.options.directory, { recursive: true });
    let text = '';
    try {
      text = await readFile(this.path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    const lines = text.split('\n');
    const complete = text.endsWith('\n') ? lines.length - 1 : lines.length - 1; // the last piece is '' or a torn line
    for (let i = 0; i < complete; i++) {
      const change = decodeJournalLine(lines[i]!);
      if (change === undefined) {
        this.damagedLines++;
        continue;
      }
      this.live.set(change.lease.ip, change.lease);
      this.lines++;
    }
    if (lines[complete] !== undefined && lines[complete] !== '') this.options.logger.warn({ path: this.path }, 'lease journal ends with a torn line (crash during write); ignored');
    if (this.damagedLines > 0) this.options.logger.warn({ path: this.path, damaged: this.damagedLines }, 'lease journal has damaged lines; ignored');
    // Start from a compact file so a torn tail never sits before new appends.
    await this.compact();
    return [...this.live.values()];
  }

  commit(changes: readonly LeaseChange[]): Promise<void> {
    let added = 0;
    for (const c of changes) {
      if (c.kind === 'offer') continue;
      this.pending.push(encodeJournalLine(c));
      this.live.set(c.lease.ip, c.lease);
      added++;
    }
    if (added === 0) return Promise.resolve();
    return new Promise((resolve, reject) => {
      this.waiters.push({ resolve, reject });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.flushing || this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      void this.flush();
    });
  }

  private async flush(): Promise<void> {
    if (this.flushing || this.pending.length === 0) return;
    this.flushing = true;
    const batch = this.pending;
    const waiters = this.waiters;
    this.pending = [];
    this.waiters = [];
    try {
      const handle = this.handle ?? (await this.openAppend());
      // O_DSYNC: the write returns once the data is on disk, one thread-pool hop instead of two.
      await handle.write(batch.join(''));
      this.syncs++;
      this.lines += batch.length;
      for (const w of waiters) w.resolve();
      if (this.lines > this.live.size + (this.options.compactSlack ?? 50_000)) await this.compact();
    } catch (error) {
      this.options.logger.error({ err: error, path: this.path }, 'lease journal write failed; ACKs withheld');
      for (const w of waiters) w.reject(error);
    } finally {
      this.flushing = false;
      if (this.pending.length > 0) this.schedule();
    }
  }

  private async openAppend(): Promise<FileHandle> {
    this.handle = await open(this.path, constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | constants.O_DSYNC, 0o600);
    return this.handle;
  }

  /** Rewrites the journal as one line per live lease (expired and released ones dropped). */
  private async compact(): Promise<void> {
    const now = Date.now();
    const out: string[] = [];
    for (const [ip, lease] of this.live) {
      if (lease.state === 'released' || lease.expiresAt < now) {
        this.live.delete(ip);
        continue;
      }
      out.push(encodeJournalLine({ kind: lease.state === 'declined' ? 'decline' : 'bind', lease }));
    }
    const temp = `${this.path}.compact`;
    const file = await open(temp, 'w');
    try {
      await file.write(out.join(''));
      await file.sync();
    } finally {
      await file.close();
    }
    await this.handle?.close();
    this.handle = undefined;
    await rename(temp, this.path);
    const dir = await open(this.options.directory, 'r');
    try {
      await dir.sync();
    } finally {
      await dir.close();
    }
    this.lines = out.length;
  }

  async close(): Promise<void> {
    while (this.flushing || this.pending.length > 0) {
      await new Promise((r) => setImmediate(r));
      if (!this.flushing && this.pending.length > 0) await this.flush();
    }
    await this.handle?.close();
    this.handle = undefined;
  }
}
