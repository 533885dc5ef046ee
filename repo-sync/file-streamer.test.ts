import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { createServer, get, request, Agent, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileStreamer } from './file-streamer.js';
import { loadSendFileAddon } from './send-file-addon.js';

const dir = mkdtempSync(join(tmpdir(), 'stk-streamer-'));
const small = randomBytes(3 * 1024 * 1024 + 17);
const big = randomBytes(48 * 1024 * 1024);
writeFileSync(join(dir, 'small'), small);
writeFileSync(join(dir, 'big'), big);
const openFds = (): number => readdirSync('/proc/self/fd').length;
const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

interface Sent { error?: unknown }

/** A plain Node server sending `?file` (optionally `&start=&length=`) through `streamer`; records each send's outcome. */
async function serve(streamer: FileStreamer): Promise<{ server: Server; url: string; sends: Promise<Sent>[] }> {
  const sends: Promise<Sent>[] = [];
  const server = createServer((req, res) => {
    const u = new URL(req.url ?? '/', 'http://x');
    const path = join(dir, u.searchParams.get('file') ?? 'small');
    sends.push(
      (async () => {
        const handle = await open(path, 'r');
        try {
          const size = (await handle.stat()).size;
          const start = Number(u.searchParams.get('start') ?? 0);
          const length = Number(u.searchParams.get('length') ?? size - start);
          res.writeHead(u.searchParams.has('start') ? 206 : 200, { 'content-length': length, 'content-type': 'application/octet-stream' });
          await streamer.send(res, handle.fd, length, start);
          return {};
        } catch (error) {
          return { error };
        } finally {
          await handle.close();
        }
      })(),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, sends };
}

function fetchAll(url: string, agent?: Agent): Promise<{ status: number; body: Buffer }> {
  return new Promise((resolve, reject) => {
    get(url, { agent: agent ?? false }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (d: Buffer) => parts.push(d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(parts) }));
      res.on('error', reject);
    }).on('error', reject);
  });
}

// `npm run build` builds the addon (scripts/build-native.mjs): a missing one fails here, it never skips.
const addon = loadSendFileAddon();

const threadsNow = (): number => readdirSync('/proc/self/task').length;

// 0: sendfile(2) on Node's own loop; 2: on two sender threads (repos.sendfileThreads).
describe.each([0, 2])('FileStreamer with sendfile(2), %i sender thread(s)', (threads) => {
  it('has the sendfile addon built', () => {
    expect(addon, 'repo-sync/native is not built: run node scripts/build-native.mjs').not.toBeNull();
  });

  let s: Awaited<ReturnType<typeof serve>>;
  const streamer = new FileStreamer(256 * 1024, 8, addon);
  let threadsBefore = 0;
  beforeAll(async () => {
    threadsBefore = threadsNow();
    addon!.threads(threads);
    s = await serve(streamer);
  });
  afterAll(() => {
    s.server.close();
    addon!.threads(0);
  });

  it('sends a whole file byte-identical by sendfile, and the kept-alive connection answers the next request', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const before = streamer.counters.sendfile;
    const first = await fetchAll(`${s.url}?file=small`, agent);
    const second = await fetchAll(`${s.url}?file=small&start=5&length=100`, agent);
    agent.destroy();
    expect(first.status).toBe(200);
    expect(sha(first.body)).toBe(sha(small));
    expect(second.status).toBe(206);
    expect(second.body.equals(small.subarray(5, 105))).toBe(true);
    expect(streamer.counters.sendfile - before).toBe(2);
    expect(streamer.counters.streamed).toBe(0);
  });

  it('sends a range from the middle of a large file', async () => {
    const start = 7 * 1024 * 1024 + 3;
    const length = 20 * 1024 * 1024 + 1;
    const r = await fetchAll(`${s.url}?file=big&start=${start}&length=${length}`);
    expect(r.body.length).toBe(length);
    expect(sha(r.body)).toBe(sha(big.subarray(start, start + length)));
  });

  it('serves 40 clients at once, every body byte-identical', async () => {
    const results = await Promise.all(Array.from({ length: 40 }, () => fetchAll(`${s.url}?file=small`)));
    for (const r of results) expect(sha(r.body)).toBe(sha(small));
  });

  it('stops at once when a client hangs up mid-file, leaking no descriptor', async () => {
    await fetchAll(`${s.url}?file=small`); // warm: descriptors the server keeps (listening socket, …) exist
    await sleep(100);
    const baseline = openFds();
    for (let k = 0; k < 5; k++) {
      const done = s.sends.length;
      await new Promise<void>((resolve) => {
        const req = get(`${s.url}?file=big`, { agent: false }, (res: IncomingMessage) => {
          let got = 0;
          res.on('data', (d: Buffer) => {
            got += d.length;
            if (got > 1024 * 1024) req.destroy();
          });
          res.on('close', () => resolve());
        });
        req.on('error', () => undefined);
      });
      await expect(s.sends[done]).resolves.toEqual({});
    }
    await sleep(100); // the duplicate socket closes on the loop's next turn
    expect(openFds()).toBe(baseline);
  });

  it('ends the send of a client that stopped reading once its socket is destroyed, leaking no descriptor', async () => {
    await fetchAll(`${s.url}?file=small`);
    await sleep(100);
    const baseline = openFds();
    const done = s.sends.length;
    const serverSide = new Promise<Socket>((resolve) => s.server.once('connection', resolve));
    const req = get(`${s.url}?file=big`, { agent: false }, (res) => res.pause());
    req.on('error', () => undefined);
    const socket = await serverSide;
    await sleep(300); // the socket buffers are full: the send waits for a writable socket that never comes
    socket.destroy(); // as Node's idle timeout does
    await expect(s.sends[done]).resolves.toEqual({});
    req.destroy();
    await sleep(200);
    expect(openFds()).toBe(baseline);
  });

  it(`runs its sends on ${threads} sender thread(s) of its own`, () => {
    // The sends above started the sender threads (none on Node's own loop); they stay for later sends.
    expect(threadsNow() - threadsBefore).toBe(threads);
  });

  it('destroys the response and rejects when the file shrinks while being sent', async () => {
    writeFileSync(join(dir, 'shrinking'), big);
    const done = s.sends.length;
    const outcome = await new Promise<{ got: number; aborted: boolean }>((resolve) => {
      const req = request(`${s.url}?file=shrinking`, { agent: false }, (res) => {
        let got = 0;
        let truncated = false;
        res.on('data', (d: Buffer) => {
          got += d.length;
          if (!truncated && got > 1024 * 1024) {
            truncated = true;
            truncateSync(join(dir, 'shrinking'), 2 * 1024 * 1024);
          }
        });
        res.on('close', () => resolve({ got, aborted: !res.complete }));
      });
      req.on('error', () => undefined);
      req.end();
    });
    const sent = await s.sends[done]!;
    expect(String(sent.error)).toMatch(/file shrank while being sent/);
    expect(outcome.aborted).toBe(true);
    expect(outcome.got).toBeLessThan(big.length);
  });
});

describe('FileStreamer without the addon (the stream path)', () => {
  let s: Awaited<ReturnType<typeof serve>>;
  const streamer = new FileStreamer(64 * 1024, 8, null);
  beforeAll(async () => {
    s = await serve(streamer);
  });
  afterAll(() => {
    s.server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('sends the same bytes through reused buffers', async () => {
    const whole = await fetchAll(`${s.url}?file=small`);
    const part = await fetchAll(`${s.url}?file=big&start=1000&length=300000`);
    expect(sha(whole.body)).toBe(sha(small));
    expect(part.body.equals(big.subarray(1000, 301000))).toBe(true);
    expect(streamer.counters).toEqual({ sendfile: 0, streamed: 2 });
  });
});
