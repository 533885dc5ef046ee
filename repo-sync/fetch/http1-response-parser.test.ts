import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { DecodeError } from '../../striker/core/errors/index.js';
import { ResponseParser, type ResponseEvent } from './http1-response-parser.js';

/** What a parse produced, with body bytes joined per response (so any chunking compares equal). */
interface Parsed { status: number; headers: Record<string, string>; closeAfter: boolean; body: string; ended: boolean }

function parse(chunks: readonly Buffer[], atEnd = false): Parsed[] {
  const parser = new ResponseParser({ maxHeadBytes: 1024, maxFields: 20 });
  const events: ResponseEvent[] = [];
  for (const c of chunks) parser.push(c, events);
  if (atEnd) parser.end(events);
  const out: Parsed[] = [];
  for (const e of events) {
    if (e.kind === 'head') out.push({ status: e.status, headers: Object.fromEntries(e.headers), closeAfter: e.closeAfter, body: '', ended: false });
    else if (e.kind === 'body') out[out.length - 1]!.body += e.data.toString('latin1');
    else out[out.length - 1]!.ended = true;
  }
  return out;
}

const whole = (text: string, atEnd = false) => parse([Buffer.from(text, 'latin1')], atEnd);
const byteByByte = (text: string, atEnd = false) => parse([...Buffer.from(text, 'latin1')].map((b) => Buffer.from([b])), atEnd);

describe('ResponseParser: message framing (RFC 9112 §6.3)', () => {
  it('Content-Length responses back to back, whatever the chunking', () => {
    const text = 'HTTP/1.1 200 OK\r\nContent-Length: 5\r\nETag: "a"\r\n\r\nhelloHTTP/1.1 404 Not Found\r\ncontent-length: 3\r\n\r\nnopHTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n';
    const expected = [
      { status: 200, headers: { 'content-length': '5', etag: '"a"' }, closeAfter: false, body: 'hello', ended: true },
      { status: 404, headers: { 'content-length': '3' }, closeAfter: false, body: 'nop', ended: true },
      { status: 200, headers: { 'content-length': '0' }, closeAfter: false, body: '', ended: true },
    ];
    expect(whole(text)).toEqual(expected);
    expect(byteByByte(text)).toEqual(expected);
  });

  it('chunked bodies with extensions and trailers (§7.1), then the next response', () => {
    const text = 'HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n4;ext=1\r\nWiki\r\n6\r\npedia \r\nE\r\nin \r\n\r\nchunks.\r\n0\r\nExpires: never\r\n\r\n'
      + 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n';
    const expected = [
      { status: 200, headers: { 'transfer-encoding': 'gzip, chunked' }, closeAfter: false, body: 'Wikipedia in \r\n\r\nchunks.', ended: true },
      { status: 200, headers: { 'transfer-encoding': 'chunked' }, closeAfter: false, body: 'abc', ended: true },
    ];
    expect(whole(text)).toEqual(expected);
    expect(byteByByte(text)).toEqual(expected);
  });

  it('accepts bare LF line ends (§2.2), obs-fold (§5.2), repeated fields and a missing reason phrase', () => {
    const text = 'HTTP/1.1 200\nVia: a\nVia: b\nX-Long: one\n  two\nContent-Length: 2, 2\n\nok';
    expect(whole(text)).toEqual([{ status: 200, headers: { via: 'a, b', 'x-long': 'one two', 'content-length': '2, 2' }, closeAfter: false, body: 'ok', ended: true }]);
    expect(byteByByte(text)).toEqual(whole(text));
  });

  it('skips 1xx interim responses; 204 and 304 have no body', () => {
    const text = 'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\nHTTP/1.1 204 No Content\r\nContent-Length: 99\r\n\r\nHTTP/1.1 304 Not Modified\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nx';
    expect(whole(text).map((r) => [r.status, r.body, r.ended])).toEqual([[204, '', true], [304, '', true], [200, 'x', true]]);
  });

  it('knows which responses end the connection: Connection: close, HTTP/1.0, read-until-close, TE with CL', () => {
    expect(whole('HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 1\r\n\r\nx')[0]!.closeAfter).toBe(true);
    expect(whole('HTTP/1.0 200 OK\r\nContent-Length: 1\r\n\r\nx')[0]!.closeAfter).toBe(true);
    expect(whole('HTTP/1.0 200 OK\r\nConnection: Keep-Alive\r\nContent-Length: 1\r\n\r\nx')[0]!.closeAfter).toBe(false);
    expect(whole('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n1\r\nx\r\n0\r\n\r\n')).toEqual([
      { status: 200, headers: { 'transfer-encoding': 'chunked', 'content-length': '3' }, closeAfter: true, body: 'x', ended: true },
    ]);
    // no length: the body is everything until the connection closes
    const untilClose = 'HTTP/1.1 200 OK\r\nServer: old\r\n\r\nall of it\r\nHTTP/1.1 still body';
    expect(whole(untilClose)[0]!.ended).toBe(false);
    expect(whole(untilClose, true)).toEqual([{ status: 200, headers: { server: 'old' }, closeAfter: true, body: 'all of it\r\nHTTP/1.1 still body', ended: true }]);
    expect(whole('HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\nzz', true)[0]).toMatchObject({ closeAfter: true, body: 'zz', ended: true });
  });

  it('reads nothing after a response that ends the connection (§9.6: a 503 for the next pipelined request)', () => {
    const text = 'HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 1\r\n\r\nxHTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\ngarbage';
    expect(whole(text, true)).toEqual([{ status: 200, headers: { connection: 'close', 'content-length': '1' }, closeAfter: true, body: 'x', ended: true }]);
  });

  it('an end between responses is clean; inside one it is an error', () => {
    expect(whole('HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nx', true)).toHaveLength(1);
    expect(() => whole('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nxyz', true)).toThrow(/connection closed inside a response \(7 body bytes missing\)/);
    expect(() => whole('HTTP/1.1 200 OK\r\nContent-Le', true)).toThrow(/connection closed inside a response \(in the head\)/);
    expect(() => whole('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab', true)).toThrow(/inside a response \(in the chunked body\)/);
  });
});

describe('ResponseParser: malformed and hostile input is a DecodeError', () => {
  const cases: [string, string, RegExp][] = [
    ['not HTTP', 'SSH-2.0-OpenSSH_9.2\r\n\r\n', /not an HTTP\/1\.x status line/],
    ['HTTP/2 status line', 'HTTP/2.0 200 OK\r\n\r\n', /unsupported HTTP version 2\.0/],
    ['three-digit status required', 'HTTP/1.1 20 OK\r\n\r\n', /not an HTTP\/1\.x status line/],
    ['101 never asked for', 'HTTP/1.1 101 Switching Protocols\r\nUpgrade: h2c\r\n\r\n', /101 Switching Protocols was not asked for/],
    ['negative length', 'HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n', /invalid Content-Length '-1'/],
    ['differing lengths', 'HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n', /invalid Content-Length '5, 6'/],
    ['huge length', 'HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999\r\n\r\n', /invalid Content-Length/],
    ['field without colon', 'HTTP/1.1 200 OK\r\nContent-Length 5\r\n\r\n', /malformed header field 'Content-Length 5'/],
    ['space before colon', 'HTTP/1.1 200 OK\r\nContent-Length : 5\r\n\r\n', /malformed header field/],
    ['fold before any field', 'HTTP/1.1 200 OK\r\n folded\r\n\r\n', /folded line before the first header field/],
    ['bad chunk size', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n', /malformed chunk size 'zz'/],
    ['chunk size overflow', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nfffffffffffffffff\r\n', /malformed chunk size/],
    ['chunk longer than its size', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabc\r\n0\r\n\r\n', /chunk data is not followed by CRLF/],
  ];
  for (const [name, text, message] of cases) {
    it(name, () => {
      expect(() => whole(text)).toThrow(DecodeError);
      expect(() => whole(text)).toThrow(message);
      expect(() => byteByByte(text)).toThrow(message);
    });
  }

  it('limits the head, the number of fields and chunk-size lines, even when the end never comes', () => {
    expect(() => whole(`HTTP/1.1 200 OK\r\nX: ${'a'.repeat(2000)}\r\n\r\n`)).toThrow(/response head is larger than 1024 bytes/);
    expect(() => whole(`HTTP/1.1 200 OK\r\nX: ${'a'.repeat(2000)}`)).toThrow(/response head is larger than 1024 bytes/);
    expect(() => whole(`HTTP/1.1 200 OK\r\n${'A: b\r\n'.repeat(25)}\r\n`)).toThrow(/more than 20 header fields/);
    expect(() => whole(`HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1;${'e'.repeat(5000)}`)).toThrow(/chunk-size line longer than 4096 bytes/);
    expect(() => whole(`HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nT: ${'t'.repeat(2000)}`)).toThrow(/trailer section is larger than 1024 bytes/);
  });

  it('fuzz: 20,000 mutated and randomly split responses give events or a DecodeError, the same either way', () => {
    const seeds = [
      'HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhelloHTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n',
      'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4;x\r\nWiki\r\n0\r\nA: b\r\n\r\n',
      'HTTP/1.0 200 OK\r\n\r\nuntil close',
      'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 304 Not Modified\r\nETag: "x"\r\n\r\n',
    ];
    let errors = 0;
    for (let i = 0; i < 20_000; i++) {
      const bytes = Buffer.from(seeds[i % seeds.length]!, 'latin1');
      const noise = randomBytes(8);
      for (let k = 0; k < 1 + (noise[0]! % 4); k++) bytes[noise[1 + k]! % bytes.length] = noise[5 + (k % 3)]!;
      const cut = noise[7]! % bytes.length;
      const outcome = (chunks: Buffer[]) => {
        try {
          return JSON.stringify(parse(chunks, true));
        } catch (error) {
          if (!(error instanceof DecodeError)) throw error;
          return 'DecodeError';
        }
      };
      const a = outcome([bytes]);
      const b = outcome([bytes.subarray(0, cut), bytes.subarray(cut)]);
      expect(b).toBe(a);
      if (a === 'DecodeError') errors++;
    }
    expect(errors).toBeGreaterThan(1000); // the mutations do reach the error paths
  });
});
