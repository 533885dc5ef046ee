/**
 * Many concurrent callers' writes made as few statements. A caller's item is written at once when
 * nothing is being written; otherwise it waits with every item that arrives while the running batch
 * commits, and those are written together as the next batch (one statement, one commit). A rack
 * powering on asks for fifty kickstarts at once, and each would otherwise commit its own row.
 *
 * Each caller gets its own result or error. Items are written in the order they were submitted and
 * `writeBatch` answers them in that order. A batch that fails as a whole (one statement: nothing of
 * it was committed) is written again one item at a time, so an item the database refuses fails its
 * own caller only, and a database that is down fails each caller with its own error.
 */

/** Writes items in one statement and returns one result per item, in the items' order. */
export type WriteBatch<I, R> = (items: readonly I[]) => Promise<readonly R[]>;

interface Waiting<I, R> {
  item: I;
  resolve: (result: R) => void;
  reject: (error: unknown) => void;
}

export class WriteCoalescer<I, R> {
  private pending: Waiting<I, R>[] = [];
  private draining = false;
  readonly stats = { items: 0, batches: 0, splitBatches: 0 };

  /** `maxBatch` bounds one statement's size; more waiting items are written in further batches. */
  constructor(private readonly writeBatch: WriteBatch<I, R>, private readonly maxBatch = 500) {
    if (!Number.isInteger(maxBatch) || maxBatch < 1) throw new TypeError(`maxBatch must be a positive integer — got ${maxBatch}`);
  }

  submit(item: I): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.pending.push({ item, resolve, reject });
      this.stats.items++;
      if (!this.draining) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.draining = true;
    try {
      while (this.pending.length > 0) await this.write(this.pending.splice(0, this.maxBatch));
    } finally {
      this.draining = false;
    }
  }

  /** Settles every caller of the batch; never throws. */
  private async write(batch: Waiting<I, R>[]): Promise<void> {
    this.stats.batches++;
    try {
      const results = await this.writeBatch(batch.map((w) => w.item));
      if (results.length !== batch.length) throw new TypeError(`a batch of ${batch.length} writes answered ${results.length} results`);
      batch.forEach((w, i) => w.resolve(results[i] as R));
      return;
    } catch (error) {
      if (batch.length === 1) {
        batch[0]!.reject(error);
        return;
      }
    }
    this.stats.splitBatches++;
    for (const w of batch) {
      try {
        const results = await this.writeBatch([w.item]);
        if (results.length !== 1) throw new TypeError(`a batch of 1 write answered ${results.length} results`);
        w.resolve(results[0] as R);
      } catch (error) {
        w.reject(error);
      }
    }
  }
}
