/**
 * One client's live job stream (server-sent events) that ends when the client's credential does:
 * no event is written until a credential check that began after the event arrived has passed, and
 * an idle stream is checked every `recheckMs`. Events that arrive while a check is in flight wait
 * for the next one, coalesced per job (each event is the job's latest snapshot), so at most one
 * check per stream is ever in flight.
 */
import type { ServerResponse } from 'node:http';
import type { CredentialCheck } from '../http/credential-check.js';

export interface LiveJobStreamOptions {
  res: ServerResponse;
  check: CredentialCheck;
  recheckMs: number;
  keepAliveMs: number;
  /** Called once when the stream ends, whichever side ended it. */
  onEnd: () => void;
}

export class LiveJobStream {
  private readonly pending = new Map<string, string>();
  private checking: Promise<void> | undefined;
  private ended = false;
  private readonly timers: NodeJS.Timeout[];

  constructor(private readonly o: LiveJobStreamOptions) {
    this.timers = [
      setInterval(() => this.drain(), o.recheckMs),
      setInterval(() => o.res.write(': keep-alive\n\n'), o.keepAliveMs),
    ];
  }

  /** Queues the frame for `jobId` (replacing an older one not yet written). */
  push(jobId: string, frame: string): void {
    if (this.ended) return;
    this.pending.set(jobId, frame);
    this.drain();
  }

  /** Ends the stream: the server closes it (credential gone) or the client went away. */
  end(): void {
    if (this.ended) return;
    this.ended = true;
    for (const t of this.timers) clearInterval(t);
    this.pending.clear();
    this.o.res.end();
    this.o.onEnd();
  }

  private drain(): void {
    if (this.checking || this.ended) return;
    this.checking = this.run().finally(() => {
      this.checking = undefined;
    });
  }

  private async run(): Promise<void> {
    do {
      const batch = [...this.pending.values()];
      this.pending.clear();
      if (!(await this.o.check())) {
        this.end();
        return;
      }
      if (this.ended) return;
      for (const frame of batch) this.o.res.write(frame);
    } while (this.pending.size > 0 && !this.ended);
  }
}
