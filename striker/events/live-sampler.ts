/**
 * Live changes for state no row holds: every `intervalMs`, `sample` says what each thing of a
 * topic looks like now (key → a text of what a page shows of it); a key whose text differs from
 * the previous sample's (or that appeared or went) is announced on the live channel as a change
 * of `topic`. Nothing is announced while nothing changes, and the first sample only sets the
 * baseline. A sample that fails is logged and skipped; the next one compares with the last good.
 */
import type { Logger } from 'pino';
import type { DbWriter } from '../db/database.js';
import { notifyLive } from './live-store.js';
import type { LiveTopic } from './live-topics.js';

export interface LiveSamplerOptions {
  db: DbWriter;
  logger: Logger;
  topic: LiveTopic;
  intervalMs: number;
  sample: () => Promise<ReadonlyMap<string, string>>;
}

export class LiveSampler {
  private last: ReadonlyMap<string, string> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<readonly string[]> | undefined;

  constructor(private readonly o: LiveSamplerOptions) {}

  start(): void {
    this.timer ??= setInterval(() => void this.tick(), this.o.intervalMs);
    this.timer.unref();
  }

  /** Samples once (waiting for a sample in flight instead of starting another); resolves to the keys announced. */
  tick(): Promise<readonly string[]> {
    this.running ??= this.run().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.running?.catch(() => undefined);
  }

  private async run(): Promise<readonly string[]> {
    let now: ReadonlyMap<string, string>;
    try {
      now = await this.o.sample();
    } catch (error) {
      this.o.logger.debug({ err: error, topic: this.o.topic }, 'live sample failed; skipped');
      return [];
    }
    const before = this.last;
    this.last = now;
    if (before === undefined) return [];
    const changed = [...new Set([...before.keys(), ...now.keys()])].filter((k) => before.get(k) !== now.get(k));
    for (const key of changed) {
      try {
        await notifyLive(this.o.db, { topic: this.o.topic, key });
      } catch (error) {
        this.o.logger.debug({ err: error, topic: this.o.topic, key }, 'live change not announced');
      }
    }
    return changed;
  }
}
