import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StoreWriter } from './store-writer.js';

let dir: string;
const writer = new StoreWriter(200);
beforeAll(async () => { dir = await mkdtemp(join(tmpdir(), 'striker-store-writer-')); });
afterAll(async () => { await writer.close(); await rm(dir, { recursive: true, force: true }); });

describe('StoreWriter', () => {
  it('writes many files at once through its worker, each complete, no temp file left', async () => {
    const files = Array.from({ length: 300 }, (_, i) => ({ target: join(dir, 'a', (i % 7).toString(), `f${i}`), body: Buffer.alloc(100 + i, i) }));
    await Promise.all(files.map((f) => writer.write(`${f.target}.tmp`, f.target, f.body)));
    for (const f of files) expect((await readFile(f.target)).equals(f.body)).toBe(true);
    for (const d of ['0', '3', '6']) expect((await readdir(join(dir, 'a', d))).filter((n) => n.endsWith('.tmp'))).toEqual([]);
  });

  it('fails only the file that cannot be written, and says which', async () => {
    await writeFile(join(dir, 'not-a-dir'), 'x');
    const good = join(dir, 'b', 'good');
    const bad = join(dir, 'not-a-dir', 'bad');
    const results = await Promise.allSettled([writer.write(`${good}.tmp`, good, Buffer.from('ok')), writer.write(`${bad}.tmp`, bad, Buffer.from('no'))]);
    expect(results[0]!.status).toBe('fulfilled');
    expect(results[1]!.status).toBe('rejected');
    expect(String((results[1] as PromiseRejectedResult).reason)).toMatch(/not-a-dir\/bad/);
    expect(await readFile(good, 'utf8')).toBe('ok');
  });

  it('writes again after its directory was removed, and after it stopped when idle', async () => {
    const first = join(dir, 'c', 'one');
    await writer.write(`${first}.tmp`, first, Buffer.from('1'));
    await rm(join(dir, 'c'), { recursive: true });
    await new Promise((r) => setTimeout(r, 400)); // idle: the worker stops
    const second = join(dir, 'c', 'two');
    await writer.write(`${second}.tmp`, second, Buffer.from('2'));
    expect(await readFile(second, 'utf8')).toBe('2');
  });

  it('a closed writer fails what is still queued instead of hanging', async () => {
    const w = new StoreWriter();
    const target = join(dir, 'd', 'x');
    const outcome = w.write(`${target}.tmp`, target, Buffer.alloc(10)).then(() => 'written', (error: unknown) => String(error));
    await w.close();
    expect(await outcome).toMatch(/store writer closed/);
  });
});
