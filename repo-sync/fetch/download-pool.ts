import { getMaxListeners, setMaxListeners } from 'node:events';

/**
 * Runs `work` over `items` with at most `limit` in flight. The first failure stops new work,
 * waits for in-flight items, and rethrows; so does the abort signal.
 */
export async function runPool<T>(items: readonly T[], limit: number, signal: AbortSignal, work: (item: T, index: number) => Promise<void>): Promise<void> {
  // Each item in flight may listen on the signal (an HTTP request does): that many listeners is expected, not a leak.
  if (getMaxListeners(signal) < limit + 10) setMaxListeners(limit + 10, signal);
  let next = 0;
  let failure: { error: unknown } | undefined;
  const lane = async () => {
    while (failure === undefined && next < items.length) {
      if (signal.aborted) { failure ??= { error: signal.reason }; return; }
      const index = next++;
      try {
        await work(items[index]!, index);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, lane));
  if (failure !== undefined) throw failure.error;
}
