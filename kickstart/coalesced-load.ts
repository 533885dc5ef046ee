/**
 * The facts every machine's kickstart shares (identity, kickstart settings, installation trees and
 * the key files at their roots, repos, the SSH public key), loaded once for many concurrent
 * requests. A rack powering on asks for fifty kickstarts within a second; each would otherwise
 * make the same four queries and read the same files.
 *
 * Never stale: a caller is only ever answered by a load that started after it called. While a
 * load runs, every new caller waits for the one load queued behind it, which starts when the
 * running one settles; so at most two loads exist at a time, however many callers there are. A
 * failed load fails exactly the callers that waited for it.
 */
export class CoalescedLoad<T> {
  private running: Promise<T> | undefined;
  private queued: Promise<T> | undefined;

  constructor(private readonly load: () => Promise<T>) {}

  get(): Promise<T> {
    if (this.running === undefined) return this.start();
    this.queued ??= this.running.then(() => undefined, () => undefined).then(() => {
      this.queued = undefined;
      return this.start();
    });
    return this.queued;
  }

  private start(): Promise<T> {
    const load = this.load().finally(() => {
      if (this.running === load) this.running = undefined;
    });
    this.running = load;
    return load;
  }
}
