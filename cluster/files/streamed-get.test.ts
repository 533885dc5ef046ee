/**
 * streamedGet against raw TCP servers that write an HTTP answer exactly as given: the head split
 * over writes, a body larger than the read buffer, a consumer that makes the socket wait, a cut,
 * an answer without Content-Length, silence.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { streamedGet } from './streamed-get.js';

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

/** A server that answers each connection with `answer` (after reading the request head). */
async function serve(answer: (socket: Socket, request: string) => void): Promise<string> {
  const server = createServer((socket) => {
    let request = '';
    socket.on('data', (d) => {
      request += d.toString('latin1');
      if (request.includes('\r\n\r\n')) answer(socket, request);
    });
    socket.on('error', () => undefined);
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const opts = (idleTimeoutMs = 5000) => ({ signal: new AbortController().signal, idleTimeoutMs, readBytes: 4096 });

describe('streamedGet', () => {
  it('parses a head split over writes and hands out a body larger than its read buffer, in order, with the request it sent', async () => {
    const body = randomBytes(100_000);
    let seen = '';
    const url = await serve((socket, request) => {
      seen = request;
      socket.write('HTTP/1.1 206 Partial Content\r\nContent-Le');
      setTimeout(() => socket.end(Buffer.concat([Buffer.from(`ngth: ${body.length}\r\nContent-Range: bytes 5-100004/100005\r\n\r\n`), body])), 20);
    });
    const res = await streamedGet(`${url}/api/x?y=1`, { range: 'bytes=5-', authorization: 'Bearer t' }, opts());
    expect(res.statusCode).toBe(206);
    expect(res.headers['content-range']).toBe('bytes 5-100004/100005');
    const hash = createHash('sha256');
    let waited = 0;
    await res.body((chunk) => {
      hash.update(chunk);
      // Every third chunk makes the socket wait for a timer: the bytes must still come in order.
      if (++waited % 3 === 0) return new Promise((r) => setTimeout(r, 2));
      return undefined;
    });
    expect(hash.digest('hex')).toBe(createHash('sha256').update(body).digest('hex'));
    expect(seen).toMatch(/^GET \/api\/x\?y=1 HTTP\/1\.1\r\n/);
    expect(seen).toContain('range: bytes=5-\r\n');
    expect(seen).toContain('authorization: Bearer t\r\n');
  });

  it('rejects the body when the connection ends before Content-Length bytes', async () => {
    const url = await serve((socket) => socket.end('HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n' + 'x'.repeat(300)));
    const res = await streamedGet(url, {}, opts());
    let got = 0;
    await expect(res.body((c) => void (got += c.length))).rejects.toThrow(/before the whole answer/);
    expect(got).toBe(300);
  });

  it('refuses a body without Content-Length, but reads an error text until the connection ends', async () => {
    const url = await serve((socket) => socket.end('HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\n\r\n{"error":{"message":"no bytes here"}}'));
    const res = await streamedGet(url, {}, opts());
    expect(res.statusCode).toBe(404);
    expect(JSON.parse(await res.text(2000))).toEqual({ error: { message: 'no bytes here' } });
    const again = await streamedGet(url, {}, opts());
    await expect(again.body(() => undefined)).rejects.toThrow(/no usable Content-Length/);
  });

  it('gives up on a silent Striker and on an answer that is not HTTP', async () => {
    const silent = await serve(() => undefined);
    await expect(streamedGet(silent, {}, opts(200))).rejects.toThrow(/silent for 200 ms/);
    const garbage = await serve((socket) => socket.end('SSH-2.0-OpenSSH\r\n\r\n'));
    await expect(streamedGet(garbage, {}, opts())).rejects.toThrow(/not an HTTP answer/);
  });
});
