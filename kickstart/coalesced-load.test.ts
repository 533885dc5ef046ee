import { describe, expect, it } from 'vitest';
import { CoalescedLoad } from './coalesced-load.js';

/** A load whose calls are counted and each settled by hand. */
function manualLoad() {
  const pending: { resolve: (v: number) => void; reject: (e: Error) => void }[] = [];
  const load = new CoalescedLoad<number>(() => new Promise<number>((resolve, reject) => pending.push({ resolve, reject })));
  return { load, pending };
}

describe('CoalescedLoad', () => {
  it('answers callers that arrive while a load runs with one load queued behind it, never with the running one', async () => {
    const { load, pending } = manualLoad();
    const first = load.get();
    const during = [load.get(), load.get(), load.get()];
    expect(pending).toHaveLength(1);
    pending[0]!.resolve(1);
    expect(await first).toBe(1);
    await Promise.resolve();
    await Promise.resolve();
    expect(pending).toHaveLength(2);
    const late = load.get(); // arrives while the second load runs: waits for a third
    pending[1]!.resolve(2);
    expect(await Promise.all(during)).toEqual([2, 2, 2]);
    await new Promise((r) => setImmediate(r));
    expect(pending).toHaveLength(3);
    pending[2]!.resolve(3);
    expect(await late).toBe(3);
  });

  it('starts afresh once idle, and a failed load fails only its own callers', async () => {
    const { load, pending } = manualLoad();
    const failing = load.get();
    const queued = load.get();
    pending[0]!.reject(new Error('database went away'));
    await expect(failing).rejects.toThrow('database went away');
    await new Promise((r) => setImmediate(r));
    pending[1]!.resolve(7);
    expect(await queued).toBe(7);
    const again = load.get();
    expect(pending).toHaveLength(3);
    pending[2]!.resolve(8);
    expect(await again).toBe(8);
  });
});
