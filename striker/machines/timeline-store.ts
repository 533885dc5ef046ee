/**
 * The boot timeline in PostgreSQL. `record` never blocks the packet path: events are queued and
 * written in batches (one statement per batch); if the database falls behind, the queue is bounded
 * and the oldest events are dropped and counted rather than slowing DHCP or TFTP down. A batch the
 * database refuses (it is restarting, a connection broke) is logged and goes back to the head of
 * the queue, and is written again after a pause that grows with each failure in a row (up to
 * `maxRetryMs`); only the queue's bound, or closing while the database is still failing, drops
 * events, and those are counted.
 * Every event with a MAC also creates or refreshes that machine's row (discovery).
 *
 * A machine's timeline is capped (`maxEventsPerMachine`): the statement that writes a batch also
 * deletes that machine's oldest events beyond the cap, so requests that are refused and recorded
 * (a kickstart fetched from the wrong address, again and again) cannot grow it between purges.
 * `purgeBootEvents` (run by `maintenance.purge`) removes events older than the retention.
 */
import type { Logger } from 'pino';
import type { DbWriter } from '../db/database.js';

/** Events kept per machine unless configured otherwise: many installs' worth, and what the timeline view shows. */
export const DEFAULT_MAX_EVENTS_PER_MACHINE = 1000;
import type { BootEvent, BootTimeline } from '../../pxe/index.js';
import { isIpv4 } from '../core/net/ipv4.js';
import { isMac } from '../core/net/mac.js';

export interface DbTimelineOptions {
  db: DbWriter;
  logger: Logger;
  flushMs?: number;
  maxQueue?: number;
  /** Newest events kept per machine (default DEFAULT_MAX_EVENTS_PER_MACHINE). */
  maxEventsPerMachine?: number;
  /** Longest pause before writing a refused batch again (default 5 s); the first is `flushMs`. */
  maxRetryMs?: number;
  /** Called after a batch naming machines seen for the first time (for OUI vendor lookup, UI). */
  onDiscovered?: (macs: string[]) => void;
}

export class DbTimeline implements BootTimeline {
  private queue: BootEvent[] = [];
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> | undefined;
  private closed = false;
  /** Batches refused in a row; sets the pause before the next attempt. */
  private failures = 0;
  readonly stats = { recorded: 0, written: 0, dropped: 0, failedBatches: 0 };

  constructor(private readonly o: DbTimelineOptions) {}

  record(event: BootEvent): void {
    if (this.closed) return;
    this.stats.recorded++;
    const max = this.o.maxQueue ?? 50_000;
    if (this.queue.length >= max) {
      this.queue.shift();
      this.stats.dropped++;
    }
    this.queue.push(event);
    this.timer ??= setTimeout(() => void this.flush(), this.o.flushMs ?? 200);
  }

  /**
   * Writes everything queued so far. When the database refuses a batch, the batch is queued again
   * and retried later (flush resolves then; the timer retries).
   */
  async flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    while (this.flushing) await this.flushing;
    if (this.queue.length === 0) return;
    const batch = this.queue.splice(0, 5000);
    let written = false;
    this.flushing = this.write(batch).then((ok) => {
      written = ok;
    }).finally(() => {
      this.flushing = undefined;
    });
    await this.flushing;
    if (!written) {
      this.requeue(batch);
      return;
    }
    if (this.queue.length > 0) await this.flush();
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.flush();
    clearTimeout(this.timer);
    this.timer = undefined;
    // Still refused at close: what is left cannot be written by this process.
    this.stats.dropped += this.queue.length;
    this.queue = [];
  }

  /** Puts a refused batch back at the head of the queue (within its bound) and schedules the retry. */
  private requeue(batch: BootEvent[]): void {
    this.failures++;
    this.queue.unshift(...batch);
    const over = this.queue.length - (this.o.maxQueue ?? 50_000);
    if (over > 0) {
      this.queue.splice(0, over);
      this.stats.dropped += over;
    }
    if (this.closed) return;
    const first = this.o.flushMs ?? 200;
    const pause = Math.min(first * 2 ** (this.failures - 1), Math.max(first, this.o.maxRetryMs ?? 5000));
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.flush(), pause);
  }

  /** One statement for the batch; false (logged) when the database refused it. */
  private async write(batch: BootEvent[]): Promise<boolean> {
    // Reporters pass what they saw on the wire; anything malformed is stored as unknown, never fatal
    // (PostgreSQL's jsonb refuses NUL characters, so they become U+FFFD).
    const macs = batch.map((e) => (e.mac !== undefined && isMac(e.mac) ? e.mac : null));
    const ips = batch.map((e) => (e.ip !== undefined && isIpv4(e.ip) ? e.ip : null));
    try {
      const { rows } = await this.o.db.write<{ mac: string }>(
        `WITH ev AS (
           SELECT * FROM unnest($1::text[], $2::inet[], $3::text[], $4::timestamptz[], $5::jsonb[]) AS e(mac, ip, step, at, details)
         ), seen AS (
           INSERT INTO machines (mac, firmware, first_seen_at, last_seen_at)
           SELECT mac, (array_agg(details->>'firmware' ORDER BY at DESC) FILTER (WHERE details ? 'firmware'))[1], min(at), max(at)
             FROM ev WHERE mac IS NOT NULL GROUP BY mac
           ON CONFLICT (mac) DO UPDATE SET
             last_seen_at = GREATEST(machines.last_seen_at, EXCLUDED.last_seen_at),
             first_seen_at = COALESCE(machines.first_seen_at, EXCLUDED.first_seen_at),
             firmware = COALESCE(EXCLUDED.firmware, machines.firmware)
           RETURNING id, mac, (xmax = 0) AS inserted
         ), newest AS (
           SELECT ev.*, seen.id AS machine_id,
                  row_number() OVER (PARTITION BY ev.mac ORDER BY ev.at DESC) AS rn,
                  count(*) OVER (PARTITION BY ev.mac) AS added
             FROM ev LEFT JOIN seen ON seen.mac = ev.mac
         ), written AS (
           INSERT INTO boot_events (machine_id, mac, ip, step, at, details)
           SELECT machine_id, mac, ip, step, at, details FROM newest WHERE machine_id IS NULL OR rn <= $6
         ), trimmed AS (
           DELETE FROM boot_events b USING (
             SELECT id FROM (
               SELECT be.id, row_number() OVER (PARTITION BY be.machine_id ORDER BY be.at DESC, be.id DESC) AS rn, a.added
                 FROM boot_events be JOIN (SELECT DISTINCT machine_id, added FROM newest WHERE machine_id IS NOT NULL) a ON a.machine_id = be.machine_id
             ) ranked WHERE rn > $6 - LEAST(added, $6)
           ) old WHERE b.id = old.id
         )
         SELECT mac FROM seen WHERE inserted`,
        [macs, ips, batch.map((e) => e.step), batch.map((e) => e.at), batch.map((e) => JSON.stringify(e.details).replace(/\\u0000/g, '\\ufffd')), this.o.maxEventsPerMachine ?? DEFAULT_MAX_EVENTS_PER_MACHINE],
      );
      this.stats.written += batch.length;
      this.failures = 0;
      if (rows.length > 0) this.o.onDiscovered?.(rows.map((r) => r.mac));
      return true;
    } catch (error) {
      this.stats.failedBatches++;
      this.o.logger.warn({ err: error, events: batch.length, failuresInARow: this.failures + 1 }, 'boot timeline batch could not be written; it will be written again');
      return false;
    }
  }
}

/**
 * Removes boot events older than `keepDays`, and each machine's beyond its newest
 * `maxPerMachine`; returns how many.
 */
export async function purgeBootEvents(q: DbWriter, keepDays: number, maxPerMachine = DEFAULT_MAX_EVENTS_PER_MACHINE): Promise<number> {
  const { rowCount } = await q.write(
    `DELETE FROM boot_events b USING (
       SELECT id FROM boot_events WHERE at < clock_timestamp() - make_interval(days => $1)
       UNION
       SELECT id FROM (
         SELECT id, row_number() OVER (PARTITION BY machine_id ORDER BY at DESC, id DESC) AS rn FROM boot_events WHERE machine_id IS NOT NULL
       ) ranked WHERE rn > $2
     ) old WHERE b.id = old.id`,
    [keepDays, maxPerMachine],
  );
  return rowCount ?? 0;
}
