/**
 * Read-ahead for one transfer: a ring of preallocated DATA packets (4-byte header + blksize
 * bytes each). Blocks are read forward on the thread pool with one preadv(2) per refill straight
 * into the packets' payload areas, so the send path allocates nothing per packet and reads a
 * file in a few large reads instead of one per block; the window being sent and the next one
 * sit in memory, which is what RFC 7440 retransmission needs. Memory per transfer is
 * slots × (blksize + 4): the read-ahead plus a window, less for small files.
 */
import { writeDataHeader } from './codec.js';
import type { OpenFile } from './file-source.js';

/**
 * Read-ahead target in bytes beyond the window: big enough that a refill (one preadv on the
 * libuv thread pool) finishes long before the sender catches up, even on a busy machine.
 */
const LOOKAHEAD_BYTES = 1024 * 1024;
/** Most blocks one readv may fill (stays under IOV_MAX = 1024). */
const MAX_LOOKAHEAD_BLOCKS = 512;

export class BlockRing {
  readonly buffer: Buffer;
  readonly slots: number;
  private readonly payloads: Buffer[];
  /** Full-size DATA packet view per slot (header + payload), made once: sending slices nothing. */
  private readonly packets: Buffer[];
  /** The final, short packet's view (made once it is loaded). */
  private lastPacket: Buffer | null = null;
  /** Highest absolute block loaded; blocks floor..loaded are all in the ring. */
  private loaded = 0;
  private loading: Promise<void> | null = null;
  private failure: unknown = null;

  constructor(
    private readonly file: OpenFile,
    readonly blksize: number,
    windowsize: number,
    readonly lastBlock: number,
  ) {
    const lookahead = Math.min(MAX_LOOKAHEAD_BLOCKS, Math.max(windowsize, Math.ceil(LOOKAHEAD_BYTES / blksize)));
    this.slots = Math.min(windowsize + lookahead, lastBlock);
    const stride = blksize + 4;
    this.buffer = Buffer.allocUnsafe(this.slots * stride);
    this.payloads = [];
    this.packets = [];
    for (let slot = 0; slot < this.slots; slot++) {
      this.payloads.push(this.buffer.subarray(slot * stride + 4, (slot + 1) * stride));
      this.packets.push(this.buffer.subarray(slot * stride, (slot + 1) * stride));
    }
  }

  /** True when every block up to `last` is loaded. */
  has(last: number): boolean {
    return last <= this.loaded;
  }

  /** Byte offset of block `block`'s packet in `buffer`. */
  offsetOf(block: number): number {
    return ((block - 1) % this.slots) * (this.blksize + 4);
  }

  /** Packet length of block `block` (header included); the last block is short. */
  lengthOf(block: number): number {
    return block < this.lastBlock ? this.blksize + 4 : this.file.size - (block - 1) * this.blksize + 4;
  }

  /** The DATA packet of loaded block `block`, a view into `buffer` (valid until its slot is refilled). */
  packet(block: number): Buffer {
    if (block < this.lastBlock) return this.packets[(block - 1) % this.slots]!;
    if (this.lastPacket === null) {
      const offset = this.offsetOf(block);
      this.lastPacket = this.buffer.subarray(offset, offset + this.lengthOf(block));
    }
    return this.lastPacket;
  }

  /** Whether `fill(floor, need)` would start a read (cheap check for the per-ACK path). */
  wantsFill(floor: number, need = floor): boolean {
    if (this.loading !== null || this.failure !== null) return false;
    const limit = Math.min(floor + this.slots - 1, this.lastBlock);
    if (this.loaded >= limit) return false;
    return this.loaded - floor + 1 < this.slots / 2 || !this.has(need);
  }

  /**
   * Read ahead from `floor` (the lowest block still needed). Starts a refill when less than half
   * the ring is loaded ahead, or when `need` is not loaded. Resolves when the running refill ends.
   */
  fill(floor: number, need = floor): Promise<void> {
    if (this.failure !== null) return Promise.reject(this.failure);
    if (this.loading !== null) return this.loading;
    if (!this.wantsFill(floor, need)) return Promise.resolve();
    const limit = Math.min(floor + this.slots - 1, this.lastBlock);
    const first = this.loaded + 1;
    const targets: Buffer[] = [];
    for (let block = first; block <= limit; block++) targets.push(this.payloads[(block - 1) % this.slots]!);
    this.loading = this.file
      .read(targets, (first - 1) * this.blksize)
      .then((bytes) => {
        const expected = Math.min(this.file.size - (first - 1) * this.blksize, (limit - first + 1) * this.blksize);
        if (bytes !== expected) throw new Error(`file changed while being sent: read ${bytes} bytes, expected ${expected}`);
        for (let block = first; block <= limit; block++) writeDataHeader(this.buffer, this.offsetOf(block), block & 0xffff);
        this.loaded = limit;
      })
      .catch((error: unknown) => {
        this.failure = error;
        throw error;
      })
      .finally(() => {
        this.loading = null;
      });
    return this.loading;
  }
}
