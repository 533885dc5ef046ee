/**
 * Striker's TFTP server on its own thread (pxe/tftp/tftp-worker.ts) against real clients: the
 * same bytes as on the main thread, files opened through the main thread's sources (a virtual
 * file rendered there, a directory), refusals, the main thread's timeline, logger and counters
 * fed by message, and a clean close.
 */
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTftpWorker } from '../../../pxe/tftp/tftp-worker.js';
import { atftpGet, curlGet } from './tftp-clients.js';
import { randomBytes, sha256, startFixture, type Fixture } from './tftp-fixture.js';

const loader = randomBytes(3 * 1024 * 1024 + 5);
const lines: Record<string, unknown>[] = [];
let fx: Fixture;

beforeAll(async () => {
  const logger = pino({ level: 'info' }, { write: (line: string) => lines.push(JSON.parse(line) as Record<string, unknown>) });
  fx = await startFixture({ 'loader.efi': loader }, { logger }, startTftpWorker);
});
afterAll(async () => {
  await fx?.cleanup();
});

describe('the TFTP server in a worker thread', () => {
  it('serves a loader byte-identical to 20 clients at once, with the main thread told of each transfer', async () => {
    const runs = await Promise.all(
      Array.from({ length: 20 }, async (_, i) => {
        const local = join(fx.out, `loader-${i}`);
        const run = await curlGet(fx.port, 'loader.efi', local, { blksize: i % 2 === 0 ? 1468 : 8192 });
        const hash = sha256(await readFile(local));
        await rm(local);
        return { run, hash };
      }),
    );
    for (const { run, hash } of runs) {
      expect(run.code, run.output).toBe(0);
      expect(hash).toBe(sha256(loader));
    }
    await expect.poll(() => fx.server.counters.served).toBe(20);
    expect(fx.server.counters.bytesServed).toBe(20 * loader.length);
    expect(fx.server.counters.active).toBe(0);
    expect(fx.server.sockets).toMatch(/native|dgram/);
    const events = fx.timeline.events.filter((e) => e.step === 'tftp.transfer' && e.details['file'] === 'loader.efi');
    expect(events).toHaveLength(20);
    expect(events.every((e) => e.details['outcome'] === 'ok' && e.at instanceof Date)).toBe(true);
    expect(lines.filter((l) => l['msg'] === 'tftp transfer finished' && l['outcome'] === 'ok')).toHaveLength(20);
  });

  it('opens virtual files through the main thread and refuses what the sources refuse', async () => {
    const local = join(fx.out, 'whoami');
    expect((await atftpGet(fx.port, 'virtual/whoami.txt', local)).code).toBe(0);
    expect(await readFile(local, 'utf8')).toBe('you are 127.0.0.1\n');
    const missing = await curlGet(fx.port, 'no-such-file', join(fx.out, 'x'));
    expect(missing.code).not.toBe(0);
    const escape = await curlGet(fx.port, 'link-outside', join(fx.out, 'y'));
    expect(escape.code).not.toBe(0);
    // The worker's counters and log lines reach the main thread by message, each in its own time.
    await expect.poll(() => fx.server.counters.refused['not-found']).toBe(1);
    await expect.poll(() => fx.server.counters.refused['symlink-escape']).toBe(1);
    await expect.poll(() => lines.some((l) => l['msg'] === 'tftp request refused' && l['reason'] === 'symlink-escape')).toBe(true);
  });
});
