import { describe, expect, it } from 'vitest';
import { BlockRing } from './block-ring.js';
import { bufferFile, type OpenFile } from './file-source.js';

function countingFile(bytes: Buffer): OpenFile & { reads: number } {
  const inner = bufferFile(bytes);
  const file = {
    size: inner.size,
    reads: 0,
    read(targets: readonly Uint8Array[], position: number) {
      file.reads++;
      return inner.read(targets, position);
    },
    close: () => inner.close(),
  };
  return file;
}

const packet = (ring: BlockRing, block: number): Buffer => ring.buffer.subarray(ring.offsetOf(block), ring.offsetOf(block) + ring.lengthOf(block));

describe('BlockRing', () => {
  it('builds DATA packets in place, the last one short, with 16-bit block numbers', async () => {
    const bytes = Buffer.from(Array.from({ length: 1000 }, (_, i) => i & 0xff));
    const file = countingFile(bytes);
    const ring = new BlockRing(file, 300, 2, 4);
    await ring.fill(1);
    expect(ring.has(4)).toBe(true);
    expect(file.reads).toBe(1);
    expect(packet(ring, 1).subarray(0, 4)).toEqual(Buffer.from([0, 3, 0, 1]));
    expect(packet(ring, 1).subarray(4)).toEqual(bytes.subarray(0, 300));
    expect(packet(ring, 4)).toEqual(Buffer.concat([Buffer.from([0, 3, 0, 4]), bytes.subarray(900)]));
    for (const block of [1, 2, 3, 4]) expect(ring.packet(block)).toEqual(packet(ring, block));
    expect(ring.packet(4)).toBe(ring.packet(4));
  });

  it('ends with an empty block when the size is a multiple of blksize', async () => {
    const ring = new BlockRing(bufferFile(Buffer.alloc(600, 7)), 300, 1, 3);
    await ring.fill(1);
    expect(ring.lengthOf(3)).toBe(4);
    expect(packet(ring, 3)).toEqual(Buffer.from([0, 3, 0, 3]));
  });

  it('reads ahead in bounded slots and reuses them; wire numbers wrap after 65535', async () => {
    const blocks = 70_000;
    const bytes = Buffer.alloc(blocks * 8 - 3);
    for (let b = 0; b < blocks; b++) bytes.writeUInt32BE(b + 1, b * 8);
    const file = countingFile(bytes);
    const ring = new BlockRing(file, 8, 4, blocks);
    expect(ring.slots).toBe(4 + 512);
    expect(ring.buffer.length).toBe(ring.slots * 12);
    for (let floor = 1; floor <= blocks; floor += 4) {
      const last = Math.min(floor + 3, blocks);
      while (!ring.has(last)) await ring.fill(floor, last);
      for (const block of [floor, last]) {
        const p = packet(ring, block);
        expect(p.readUInt16BE(2)).toBe(block & 0xffff);
        if (block < blocks) expect(p.readUInt32BE(4)).toBe(block);
      }
      if (ring.wantsFill(floor)) await ring.fill(floor);
    }
    expect(file.reads).toBeLessThan(blocks / 200);
  });

  it('fails when the file shrinks while being sent', async () => {
    const shrinking: OpenFile = { size: 1000, read: async () => 10, close: async () => {} };
    const ring = new BlockRing(shrinking, 512, 1, 2);
    await expect(ring.fill(1)).rejects.toThrow(/file changed/);
    await expect(ring.fill(1)).rejects.toThrow(/file changed/);
  });
});
