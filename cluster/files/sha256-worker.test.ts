/**
 * WorkerSha256.follow on a file another writer appends to: the digest of every byte once the
 * writer ended, and an error (never a digest) when the file ends short, grows past its size, or the
 * follow is stopped.
 */
import { createHash, randomBytes } from 'node:crypto';
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FollowControl, WorkerSha256 } from './sha256-worker.js';

const dir = mkdtempSync(join(tmpdir(), 'sha256-worker-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const data = randomBytes(9 * 1024 * 1024 + 5);
let n = 0;

/** Appends `bytes` to `path` in pieces, a macrotask apart, then tells the follower the writer ended. */
async function write(path: string, bytes: Buffer, control: FollowControl): Promise<void> {
  for (let at = 0; at < bytes.length; at += 700_000) {
    appendFileSync(path, bytes.subarray(at, at + 700_000));
    await new Promise((r) => setImmediate(r));
  }
  control.ended();
}

async function follow(bytes: Buffer, length: number, stopAfterWrite = false) {
  const path = join(dir, `f${n++}`);
  writeFileSync(path, '');
  const hasher = new WorkerSha256();
  const control = new FollowControl();
  try {
    const followed = hasher.follow(path, length, control).then(() => hasher.digest());
    if (stopAfterWrite) {
      appendFileSync(path, bytes.subarray(0, 1000));
      control.stop();
    } else {
      await write(path, bytes, control);
    }
    return await followed.then((sha) => ({ ok: true as const, sha, hashed: control.hashed() }), (error: Error) => ({ ok: false as const, error }));
  } finally {
    await hasher.close();
  }
}

describe('WorkerSha256.follow', () => {
  it('hashes a file while it is written and ends once the writer ended with every byte', async () => {
    const r = await follow(data, data.length);
    expect(r).toEqual({ ok: true, sha: createHash('sha256').update(data).digest('hex'), hashed: data.length });
  });

  it('fails when the file ends short, grows past its size, or the follow is stopped', async () => {
    const short = await follow(data.subarray(0, 5000), data.length);
    expect(short.ok ? '' : short.error.message).toMatch(/ended after 5000 of \d+ bytes/);
    const longer = await follow(data, data.length - 10);
    expect(longer.ok ? '' : longer.error.message).toMatch(new RegExp(`grew to \\d+ bytes, past the ${data.length - 10} expected`));
    const stopped = await follow(data, data.length, true);
    expect(stopped.ok ? '' : stopped.error.message).toMatch(/stopped/);
  });
});
