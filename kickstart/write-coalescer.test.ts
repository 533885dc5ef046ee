import { describe, expect, it } from 'vitest';
import { WriteCoalescer } from './write-coalescer.js';

/** A batch writer whose batches the test releases by hand, recording what each batch held. */
function gatedWriter(fail?: (item: number) => boolean) {
  const batches: number[][] = [];
  const gates: (() => void)[] = [];
  const write = async (items: readonly number[]): Promise<string[]> => {
    batches.push([...items]);
    await new Promise<void>((release) => gates.push(release));
    const bad = items.find((i) => fail?.(i));
    if (bad !== undefined) throw new Error(`item ${bad} refused`);
    return items.map((i) => `wrote ${i}`);
  };
  /** Releases every batch started so far, then lets the coalescer start the next. */
  const releaseAll = async () => {
    while (gates.length > 0) {
      gates.shift()!();
      await new Promise((r) => setImmediate(r));
    }
  };
  return { batches, write, releaseAll };
}

describe('WriteCoalescer', () => {
  it('writes the first item at once and everything submitted meanwhile as one batch, in order, each caller getting its own result', async () => {
    const w = gatedWriter();
    const c = new WriteCoalescer(w.write);
    const first = c.submit(1);
    const rest = [2, 3, 4, 5].map((i) => c.submit(i));
    await new Promise((r) => setImmediate(r));
    expect(w.batches).toEqual([[1]]);
    await w.releaseAll();
    await w.releaseAll();
    expect(await first).toBe('wrote 1');
    expect(await Promise.all(rest)).toEqual(['wrote 2', 'wrote 3', 'wrote 4', 'wrote 5']);
    expect(w.batches).toEqual([[1], [2, 3, 4, 5]]);
    expect(c.stats).toEqual({ items: 5, batches: 2, splitBatches: 0 });
  });

  it('a refused item fails its own caller only: the failed batch is written again item by item', async () => {
    const w = gatedWriter((i) => i === 3);
    const c = new WriteCoalescer(w.write);
    const first = c.submit(1);
    const settled = Promise.allSettled([first, ...[2, 3, 4].map((i) => c.submit(i))]);
    for (let i = 0; i < 6; i++) await w.releaseAll();
    const outcomes = await settled;
    expect(outcomes.map((o) => (o.status === 'fulfilled' ? o.value : (o.reason as Error).message))).toEqual(['wrote 1', 'wrote 2', 'item 3 refused', 'wrote 4']);
    expect(w.batches).toEqual([[1], [2, 3, 4], [2], [3], [4]]);
    expect(c.stats.splitBatches).toBe(1);
  });

  it('when every write fails, every caller gets an error, and later items are still written', async () => {
    let down = true;
    const c = new WriteCoalescer<number, number>(async (items) => {
      if (down) throw new Error('database down');
      return items.map((i) => i * 10);
    });
    const outcomes = await Promise.allSettled([1, 2, 3].map((i) => c.submit(i)));
    expect(outcomes.map((o) => o.status)).toEqual(['rejected', 'rejected', 'rejected']);
    down = false;
    expect(await c.submit(4)).toBe(40);
  });

  it('a writer that answers the wrong number of results fails those callers instead of answering them wrongly', async () => {
    const c = new WriteCoalescer<number, number>(async () => [1]);
    const outcomes = await Promise.allSettled([c.submit(1), c.submit(2), c.submit(3)]);
    expect(outcomes[0]).toEqual({ status: 'fulfilled', value: 1 });
    // 2 and 3 were one batch answered with one result: split, each then answered with one.
    expect(outcomes.slice(1)).toEqual([{ status: 'fulfilled', value: 1 }, { status: 'fulfilled', value: 1 }]);
    const short = new WriteCoalescer<number, number>(async () => []);
    await expect(short.submit(1)).rejects.toThrow('a batch of 1 writes answered 0 results');
  });

  it('bounds a batch by maxBatch, keeping the order across batches', async () => {
    const w = gatedWriter();
    const c = new WriteCoalescer(w.write, 2);
    const all = [1, 2, 3, 4, 5, 6].map((i) => c.submit(i));
    for (let i = 0; i < 5; i++) await w.releaseAll();
    expect(await Promise.all(all)).toEqual([1, 2, 3, 4, 5, 6].map((i) => `wrote ${i}`));
    expect(w.batches).toEqual([[1], [2, 3], [4, 5], [6]]);
    expect(() => new WriteCoalescer(w.write, 0)).toThrow('maxBatch must be a positive integer');
  });
});
