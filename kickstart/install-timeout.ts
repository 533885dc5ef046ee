/**
 * The install timeout: a machine still `installing` `minutes` after it fetched its kickstart has
 * had no report from its installer (no registration, no failure report: the installer hung, the
 * machine lost power, `%onerror` could not reach Striker), so it becomes `failed` with "no report
 * from the installer in N minutes" and a `kickstart.failed` event on its timeline. Checked by a
 * light timer (once a minute) in `striker serve`.
 */
import type { Logger } from 'pino';
import type { BootTimeline } from '../pxe/index.js';
import type { DbWriter } from '../striker/db/database.js';
import { systemClock, type Clock } from '../striker/core/clock.js';
import { failStalledInstalls } from './host-store.js';

export interface InstallTimeoutDeps {
  db: DbWriter;
  timeline: BootTimeline;
  minutes: number;
  log: Logger;
  /** How often to check (default one minute). */
  everyMs?: number;
  now?: Clock;
}

export class InstallTimeout {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<string[]> | undefined;

  constructor(private readonly deps: InstallTimeoutDeps) {}

  start(): void {
    this.timer ??= setInterval(() => void this.check().catch((error: unknown) => this.deps.log.warn({ err: error }, 'install timeout check failed; checked again at the next tick')), this.deps.everyMs ?? 60_000);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.running?.catch(() => undefined);
  }

  /** Fails the machines whose install timed out; returns their MACs. One check at a time. */
  check(): Promise<string[]> {
    this.running ??= this.failStalled().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async failStalled(): Promise<string[]> {
    const { macs, reason } = await failStalledInstalls(this.deps.db, this.deps.minutes);
    const at = (this.deps.now ?? systemClock)();
    for (const mac of macs) {
      this.deps.log.warn({ mac, minutes: this.deps.minutes }, 'install timed out: no report from the installer');
      this.deps.timeline.record({ step: 'kickstart.failed', mac, at, details: { reason, timeout: true } });
    }
    return macs;
  }
}
