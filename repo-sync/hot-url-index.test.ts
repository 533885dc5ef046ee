import { describe, expect, it } from 'vitest';
import { HotUrlIndex } from './hot-url-index.js';
import type { CachedFile } from './small-file-cache.js';

const file = (bytes: number): CachedFile => ({ body: Buffer.alloc(bytes), size: bytes, mtimeMs: 0, etag: 'e', lastModified: 'm', contentType: 't', headers: {} });

describe('HotUrlIndex', () => {
  it('trusts an entry only in the generation it was made in', () => {
    const index = new HotUrlIndex();
    const f = file(10);
    index.set('/repos/a/x', f, 3);
    expect(index.get('/repos/a/x', 3)).toBe(f);
    expect(index.get('/repos/a/x', 4)).toBeUndefined();
    expect(index.get('/repos/a/y', 3)).toBeUndefined();
  });

  it('stays within its entry and byte bounds', () => {
    const byCount = new HotUrlIndex(100, 1 << 30);
    for (let i = 0; i < 1000; i++) byCount.set(`/u${i}`, file(1), 0);
    expect(byCount.size).toBeLessThanOrEqual(100);
    expect(byCount.get('/u999', 0)).toBeDefined();
    const byBytes = new HotUrlIndex(1 << 20, 1000);
    for (let i = 0; i < 50; i++) byBytes.set(`/u${i}`, file(300), 0);
    expect(byBytes.size).toBeLessThanOrEqual(3);
    expect(byBytes.get('/u49', 0)).toBeDefined();
  });
});
