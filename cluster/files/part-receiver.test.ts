/**
 * receivePart (node:http) and receivePartWithCurl (curl) against raw TCP (and TLS) servers that
 * write an HTTP answer exactly as given: the head split over writes and a body in many small
 * writes, a 200 to a Range, a cut, an error answer, an answer without Content-Length, silence, an
 * answer that is not HTTP, a certificate the system does not trust, and hostile answers: a wrong
 * Content-Range, a wrong Content-Length, more bytes than asked. Outcomes asserted: the part's bytes
 * and SHA-256, the request sent, the error's kind (Refused or a transport failure) and its words.
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer as createTlsServer } from 'node:tls';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runCommand } from '../../striker/core/command/run-command.js';
import { receivePartWithCurl } from './curl-receiver.js';
import { receivePart, Refused, type PartRequest } from './part-receiver.js';

const dir = mkdtempSync(join(tmpdir(), 'part-receiver-'));
const data = randomBytes(5 * 1024 * 1024 + 11);
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const servers: Server[] = [];
let n = 0;

afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Answers each connection with `answer` once the request head is in; the URL to ask. */
async function serve(answer: (socket: Socket, request: string) => void, server: Server = createServer(), scheme = 'http'): Promise<string> {
  server.on(scheme === 'https' ? 'secureConnection' : 'connection', (socket: Socket) => {
    let request = '';
    socket.on('data', (d: Buffer) => {
      request += d.toString('latin1');
      if (request.includes('\r\n\r\n')) answer(socket, request);
    });
    socket.on('error', () => undefined);
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return `${scheme}://127.0.0.1:${(server.address() as AddressInfo).port}/api/agent/files/f/content`;
}

/** Writes `body` in writes of `size` bytes, then `then` (end, or a cut). */
function writeInPieces(socket: Socket, body: Buffer, size: number, then: () => void): void {
  let at = 0;
  const next = () => {
    while (at < body.length) {
      const piece = body.subarray(at, at + size);
      at += piece.length;
      if (!socket.write(piece)) return void socket.once('drain', next);
    }
    then();
  };
  next();
}

/** The argv of each curl run (to see what it was given). */
const argvs: (readonly string[])[] = [];
const receivers = {
  node: receivePart,
  curl: (r: PartRequest) => receivePartWithCurl(r, (argv, options) => {
    argvs.push(argv);
    return runCommand(argv, options);
  }),
};
let receiver: keyof typeof receivers = 'node';

const receive = (url: string, over: Partial<PartRequest> = {}) => {
  const part = over.part ?? join(dir, `p${n++}`);
  const request: PartRequest = { url, headers: { authorization: 'Bearer t' }, part, held: 0, sizeBytes: data.length, signal: new AbortController().signal, idleTimeoutMs: 5000, ...over };
  return { part, done: receivers[receiver](request).then((sha) => ({ ok: true as const, sha }), (error: Error) => ({ ok: false as const, error })) };
};

/** A part holding the file's first `held` bytes. */
function partWith(held: number): string {
  const part = join(dir, `p${n++}`);
  writeFileSync(part, data.subarray(0, held));
  return part;
}

/** Answers a Range from byte `from` with `head` (the status line and headers) and `body`. */
const answer = (head: string, body: Buffer) => (socket: Socket) => {
  socket.write(`${head}\r\n\r\n`);
  writeInPieces(socket, body, 256 * 1024, () => socket.end());
};

describe.each(['node', 'curl'] as const)('receiving with %s', (name) => {
  beforeAll(() => void (receiver = name));

  it('takes a head split over writes and a body in small pieces into the part, in order, with the request it sent', async () => {
    let seen = '';
    const url = await serve((socket, request) => {
      seen = request;
      const rest = data.subarray(1000);
      socket.write('HTTP/1.1 206 Partial Content\r\nContent-Le');
      setTimeout(() => {
        socket.write(`ngth: ${rest.length}\r\nContent-Range: bytes 1000-${data.length - 1}/${data.length}\r\n\r\n`);
        writeInPieces(socket, rest, 7000, () => socket.end());
      }, 20);
    });
    const part = join(dir, 'resumed');
    writeFileSync(part, data.subarray(0, 1000));
    const r = await receive(url, { part, held: 1000 }).done;
    expect(r).toEqual({ ok: true, sha: sha256(data) });
    expect(readFileSync(part).equals(data)).toBe(true);
    expect(seen).toMatch(/^GET \/api\/agent\/files\/f\/content HTTP\/1\.1\r\n/);
    expect(seen.toLowerCase()).toContain('range: bytes=1000-\r\n');
    expect(seen.toLowerCase()).toContain('authorization: bearer t\r\n');
  });

  it('restarts the part from byte 0 when the Striker answers a Range with the whole file (200)', async () => {
    const url = await serve((socket) => {
      socket.write(`HTTP/1.1 200 OK\r\nContent-Length: ${data.length}\r\n\r\n`);
      writeInPieces(socket, data, 1 << 20, () => socket.end());
    });
    const part = join(dir, 'restarted');
    writeFileSync(part, Buffer.alloc(3000, 0xee));
    const r = await receive(url, { part, held: 3000 }).done;
    expect(r).toEqual({ ok: true, sha: sha256(data) });
    expect(readFileSync(part).equals(data)).toBe(true);
  });

  it('keeps what arrived before a cut in the part and names the cut (not a refusal)', async () => {
    const cutAt = 2 * 1024 * 1024 + 123;
    const url = await serve((socket) => {
      socket.write(`HTTP/1.1 200 OK\r\nContent-Length: ${data.length}\r\n\r\n`);
      writeInPieces(socket, data.subarray(0, cutAt), 64 * 1024, () => setTimeout(() => socket.destroy(), 50));
    });
    const { part, done } = receive(url);
    const r = await done;
    expect(r.ok).toBe(false);
    const error = r.ok ? undefined : r.error;
    expect(error).not.toBeInstanceOf(Refused);
    expect(error?.message).toMatch(/closed the connection before the whole answer|ended after \d+ of \d+ bytes/);
    expect(readFileSync(part).equals(data.subarray(0, cutAt))).toBe(true);
  });

  it('refuses an error answer with its message, and an answer without the announced length', async () => {
    const notFound = await serve((socket) => socket.end('HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n{"error":{"message":"no bytes here"}}'));
    const r1 = await receive(notFound).done;
    expect(r1.ok ? undefined : r1.error).toBeInstanceOf(Refused);
    expect(r1.ok ? '' : r1.error.message).toBe('HTTP 404: no bytes here');
    const unsized = await serve((socket) => socket.end('HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nabc'));
    const r2 = await receive(unsized).done;
    expect(r2.ok ? '' : r2.error.message).toMatch(/Content-Length '', not the \d+ bytes from byte 0/);
  });

  it('gives up on a silent Striker (before the head and within the body) and on an answer that is not HTTP', async () => {
    const silent = await serve(() => undefined);
    // curl counts silence in whole seconds.
    const silence = name === 'node' ? /^the Striker was silent for 200 ms$/ : /^the Striker was silent for 1 s \(curl: \(28\)/;
    const r1 = await receive(silent, { idleTimeoutMs: 200 }).done;
    expect(r1.ok ? '' : r1.error.message).toMatch(silence);
    const stalls = await serve((socket) => socket.write(`HTTP/1.1 200 OK\r\nContent-Length: ${data.length}\r\n\r\n${'x'.repeat(1000)}`));
    const r2 = await receive(stalls, { idleTimeoutMs: 200 }).done;
    expect(r2.ok ? '' : r2.error.message).toMatch(silence);
    const garbage = await serve((socket) => socket.end('SSH-2.0-OpenSSH\r\n\r\n'));
    const r3 = await receive(garbage).done;
    expect(r3.ok ? '' : r3.error.message).toMatch(/^not an HTTP answer/);
    expect(r3.ok ? undefined : r3.error).not.toBeInstanceOf(Refused);
  });

  it('speaks TLS to an https: Striker and trusts only what the system trusts', async () => {
    const key = join(dir, 'key.pem');
    const cert = join(dir, 'cert.pem');
    await runCommand(['openssl', 'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-subj', '/CN=127.0.0.1', '-days', '1', '-keyout', key, '-out', cert], { timeoutMs: 30_000 });
    let asked = 0;
    const url = await serve(() => void asked++, createTlsServer({ key: readFileSync(key), cert: readFileSync(cert) }), 'https');
    const r = await receive(url).done;
    expect(r.ok ? '' : r.error.message).toMatch(/self[- ]signed certificate/);
    expect(asked).toBe(0);
  });
  it('refuses a 206 whose Content-Range is not the bytes asked (another start, another size) and keeps the part as it was', async () => {
    const held = 1000;
    const rest = data.subarray(held);
    for (const range of [`bytes ${held + 5}-${data.length - 1}/${data.length}`, `bytes ${held}-${data.length}/${data.length + 1}`]) {
      const url = await serve(answer(`HTTP/1.1 206 Partial Content\r\nContent-Length: ${rest.length}\r\nContent-Range: ${range}`, rest));
      const part = partWith(held);
      const r = await receive(url, { part, held }).done;
      expect(r.ok ? undefined : r.error).toBeInstanceOf(Refused);
      expect(r.ok ? '' : r.error.message).toBe(`answered Range bytes=${held}- with Content-Range '${range}'`);
      expect(readFileSync(part).equals(data.subarray(0, held))).toBe(true);
    }
  });

  it('takes no answer whose Content-Length is not the bytes asked, shorter or longer, and keeps the part as it was', async () => {
    const held = 4096;
    const rest = data.subarray(held);
    for (const length of [rest.length - 10, rest.length + 100]) {
      const body = length < rest.length ? rest.subarray(0, length) : Buffer.concat([rest, Buffer.alloc(100, 0x41)]);
      const url = await serve(answer(`HTTP/1.1 206 Partial Content\r\nContent-Length: ${length}\r\nContent-Range: bytes ${held}-${data.length - 1}/${data.length}`, body));
      const part = partWith(held);
      const r = await receive(url, { part, held }).done;
      expect(r.ok).toBe(false);
      expect(r.ok ? '' : r.error.message).toMatch(new RegExp(`Content-Length '${length}'`));
      expect(readFileSync(part).equals(data.subarray(0, held))).toBe(true);
    }
  });

  it('never keeps more bytes than the file has: an answer without a length that goes on past them fails, the part as it was', async () => {
    const url = await serve(answer('HTTP/1.1 200 OK\r\nConnection: close', Buffer.concat([data, randomBytes(3 * 1024 * 1024)])));
    const { part, done } = receive(url);
    const r = await done;
    expect(r.ok).toBe(false);
    expect(r.ok ? '' : r.error.message).toMatch(/Content-Length ''|longer than the \d+ bytes/);
    expect(existsSync(part) ? readFileSync(part).length : 0).toBe(0);
  });

  it('takes only the bytes asked when the Striker sends more after an answer of the right length', async () => {
    const url = await serve((socket) => {
      socket.write(`HTTP/1.1 200 OK\r\nContent-Length: ${data.length}\r\n\r\n`);
      writeInPieces(socket, Buffer.concat([data, Buffer.alloc(64 * 1024, 0x42)]), 1 << 20, () => socket.end());
    });
    const { part, done } = receive(url);
    const r = await done;
    expect(r).toEqual({ ok: true, sha: sha256(data) });
    expect(readFileSync(part).equals(data)).toBe(true);
  });

  it('names a Striker that closes the connection before any answer', async () => {
    const url = await serve((socket) => socket.destroy());
    const r = await receive(url).done;
    expect(r.ok ? undefined : r.error).not.toBeInstanceOf(Refused);
    expect(r.ok ? '' : r.error.message).toMatch(/closed the connection before the whole answer|socket hang up/);
  });
});

describe('receiving with curl', () => {
  it('gives curl the credential on its standard input, never in its argv', async () => {
    receiver = 'curl';
    argvs.length = 0;
    let seen = '';
    const url = await serve((socket, request) => {
      seen = request;
      answer(`HTTP/1.1 200 OK\r\nContent-Length: ${data.length}`, data)(socket);
    });
    const r = await receive(url, { headers: { authorization: 'Bearer s3cret-"quoted"\\' } }).done;
    expect(r).toEqual({ ok: true, sha: sha256(data) });
    expect(seen).toContain('authorization: Bearer s3cret-"quoted"\\\r\n');
    expect(argvs).toHaveLength(1);
    expect(argvs[0]!.join(' ')).not.toContain('s3cret');
    expect(argvs[0]![1]).toBe('--disable');
  });
});
