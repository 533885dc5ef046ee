/**
 * An incremental HTTP/1.1 response parser (RFC 9112), the pure core of the pipelined fetcher: bytes
 * in, events out (`head`, `body`, `end`), no I/O. Responses arrive back to back on one connection,
 * so the parser must know exactly where each one ends (message body length, RFC 9112 §6.3):
 *
 * 1. a 1xx (interim), 204 or 304 response has no body (a 1xx is skipped: the final one follows);
 * 2. Transfer-Encoding ending in `chunked` is read chunk by chunk (§7.1), trailers discarded;
 *    any other transfer coding means "read until the connection closes";
 * 3. a valid Content-Length gives the length; differing or malformed values are an error (§6.3 ¶5);
 * 4. otherwise the body runs until the connection closes.
 *
 * It is strict where a mistake would misframe the next response (lengths, chunk sizes) and lenient
 * where RFC 9112 allows (bare LF line ends §2.2, obs-fold §5.2, a missing reason phrase). Heads are
 * limited in size and field count; every malformed input is a DecodeError, never anything else.
 * Body bytes are handed out as views of the input chunks (no copies).
 */
import { DecodeError } from '../../striker/core/errors/index.js';

export type ResponseEvent =
  | { kind: 'head'; status: number; reason: string; headers: ReadonlyMap<string, string>; closeAfter: boolean }
  | { kind: 'body'; data: Buffer }
  | { kind: 'end' };

export interface ResponseParserLimits {
  /** Largest status line plus header section, and largest trailer section (default 64 KiB). */
  maxHeadBytes?: number;
  /** Most header fields in one head (default 200). */
  maxFields?: number;
}

type State = 'head' | 'length' | 'chunk-size' | 'chunk-data' | 'chunk-end' | 'trailers' | 'until-close' | 'closed';

const tokenRe = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const statusLineRe = /^HTTP\/(\d)\.(\d) (\d{3})(?: (.*))?$/;
const maxChunkLine = 4096;

export class ResponseParser {
  private state: State = 'head';
  /** Bytes received but not yet consumed (a partial head, chunk-size line or trailer section). */
  private pending: Buffer = Buffer.alloc(0);
  private remaining = 0;
  /** Offset of all bytes consumed before `pending`, for error messages. */
  private offset = 0;
  private readonly maxHeadBytes: number;
  private readonly maxFields: number;
  /** The message being read ends the connection (Connection: close, HTTP/1.0, read-until-close). */
  private closeAfterMessage = false;

  constructor(limits: ResponseParserLimits = {}) {
    this.maxHeadBytes = limits.maxHeadBytes ?? 64 * 1024;
    this.maxFields = limits.maxFields ?? 200;
  }

  /** True between messages (nothing of a next response received yet). */
  get idle(): boolean {
    return this.state === 'head' && this.pending.length === 0;
  }

  /** Feeds bytes from the connection; appends the events they complete to `out`. */
  push(chunk: Buffer, out: ResponseEvent[]): void {
    let buf = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    this.pending = Buffer.alloc(0);
    while (buf.length > 0) {
      const used = this.step(buf, out);
      if (used < 0) { // needs more bytes than buf holds
        this.pending = buf;
        return;
      }
      this.offset += used;
      buf = buf.subarray(used);
    }
  }

  /** The connection ended: completes a read-until-close body, or throws if a message was cut short. */
  end(out: ResponseEvent[]): void {
    if (this.state === 'until-close') {
      this.state = 'closed';
      out.push({ kind: 'end' });
      return;
    }
    if (this.idle || this.state === 'closed') { this.state = 'closed'; return; }
    throw new DecodeError(`connection closed inside a response (${this.describeState()})`, 'HTTP response', this.offset);
  }

  /** Consumes a prefix of buf (returns its length), or returns -1 when buf ends before the next unit. */
  private step(buf: Buffer, out: ResponseEvent[]): number {
    switch (this.state) {
      case 'head': return this.head(buf, out);
      case 'length': {
        const n = Math.min(this.remaining, buf.length);
        out.push({ kind: 'body', data: buf.subarray(0, n) });
        this.remaining -= n;
        if (this.remaining === 0) this.finish(out);
        return n;
      }
      case 'until-close':
        out.push({ kind: 'body', data: buf });
        return buf.length;
      case 'chunk-size': return this.chunkSize(buf);
      case 'chunk-data': {
        const n = Math.min(this.remaining, buf.length);
        out.push({ kind: 'body', data: buf.subarray(0, n) });
        this.remaining -= n;
        if (this.remaining === 0) this.state = 'chunk-end';
        return n;
      }
      case 'chunk-end': {
        // CRLF (or a bare LF) after the chunk data (RFC 9112 §7.1)
        if (buf[0] === 0x0a) { this.state = 'chunk-size'; return 1; }
        if (buf[0] !== 0x0d) throw new DecodeError('chunk data is not followed by CRLF (chunk longer than its size?)', 'HTTP chunked body', this.offset);
        if (buf.length < 2) return -1;
        if (buf[1] !== 0x0a) throw new DecodeError('chunk data is not followed by CRLF', 'HTTP chunked body', this.offset);
        this.state = 'chunk-size';
        return 2;
      }
      case 'trailers': return this.trailers(buf, out);
      case 'closed':
        return buf.length; // after a response that ends the connection nothing more is read (RFC 9112 §9.6)
    }
  }

  private head(buf: Buffer, out: ResponseEvent[]): number {
    // Tolerate stray empty lines before a status line (a peer's extra CRLF after a body).
    let start = 0;
    while (start < buf.length && (buf[start] === 0x0d || buf[start] === 0x0a)) start++;
    if (start === buf.length) return start;
    const end = endOfSection(buf, start);
    if (end === undefined) {
      if (buf.length - start > this.maxHeadBytes) throw new DecodeError(`response head is larger than ${this.maxHeadBytes} bytes`, 'HTTP response head', this.offset);
      return -1;
    }
    if (end.contentEnd - start > this.maxHeadBytes) throw new DecodeError(`response head is larger than ${this.maxHeadBytes} bytes`, 'HTTP response head', this.offset);
    const lines = splitLines(buf.toString('latin1', start, end.contentEnd));
    const statusLine = statusLineRe.exec(lines[0] ?? '');
    if (statusLine === null) throw new DecodeError(`not an HTTP/1.x status line: '${printable(lines[0] ?? '')}'`, 'HTTP status line', this.offset + start);
    const major = Number(statusLine[1]);
    const minor = Number(statusLine[2]);
    if (major !== 1) throw new DecodeError(`unsupported HTTP version ${major}.${minor}`, 'HTTP status line', this.offset + start);
    const status = Number(statusLine[3]);
    const headers = this.fields(lines.slice(1), this.offset + start);
    const used = end.next;
    if (status >= 100 && status < 200) {
      if (status === 101) throw new DecodeError('101 Switching Protocols was not asked for', 'HTTP status line', this.offset + start);
      return used; // interim response: the final one follows (RFC 9110 §15.2)
    }
    const connection = (headers.get('connection') ?? '').toLowerCase().split(',').map((s) => s.trim());
    let closeAfter = connection.includes('close') || (minor === 0 && !connection.includes('keep-alive'));
    const te = headers.get('transfer-encoding');
    const cl = headers.get('content-length');
    let framing: 'none' | 'length' | 'chunked' | 'until-close';
    if (status === 204 || status === 304) framing = 'none';
    else if (te !== undefined) {
      const codings = te.toLowerCase().split(',').map((s) => s.trim()).filter((s) => s !== '');
      framing = codings[codings.length - 1] === 'chunked' ? 'chunked' : 'until-close';
      if (cl !== undefined) closeAfter = true; // both fields: a smuggling sign, never reuse the connection (RFC 9112 §6.3 ¶3)
    } else if (cl !== undefined) {
      this.remaining = parseContentLength(cl, this.offset + start);
      framing = this.remaining === 0 ? 'none' : 'length';
    } else framing = 'until-close';
    if (framing === 'until-close') closeAfter = true;
    out.push({ kind: 'head', status, reason: statusLine[4] ?? '', headers, closeAfter });
    this.closeAfterMessage = closeAfter;
    if (framing === 'none') this.finish(out);
    else if (framing === 'length') this.state = 'length';
    else if (framing === 'chunked') this.state = 'chunk-size';
    else this.state = 'until-close';
    return used;
  }

  private finish(out: ResponseEvent[]): void {
    out.push({ kind: 'end' });
    this.state = this.closeAfterMessage ? 'closed' : 'head';
  }

  private fields(lines: string[], at: number): Map<string, string> {
    if (lines.length > this.maxFields) throw new DecodeError(`more than ${this.maxFields} header fields`, 'HTTP response head', at);
    const headers = new Map<string, string>();
    let last: string | undefined;
    for (const line of lines) {
      if (line[0] === ' ' || line[0] === '\t') {
        // obs-fold: a user agent replaces it with SP (RFC 9112 §5.2)
        if (last === undefined) throw new DecodeError('a folded line before the first header field', 'HTTP response head', at);
        headers.set(last, `${headers.get(last)} ${line.trim()}`.trim());
        continue;
      }
      const colon = line.indexOf(':');
      const name = colon > 0 ? line.slice(0, colon) : '';
      if (!tokenRe.test(name)) throw new DecodeError(`malformed header field '${printable(line)}'`, 'HTTP response head', at);
      const key = name.toLowerCase();
      const value = line.slice(colon + 1).replace(/^[ \t]+|[ \t]+$/g, '');
      const prior = headers.get(key);
      headers.set(key, prior === undefined ? value : `${prior}, ${value}`);
      last = key;
    }
    return headers;
  }

  private chunkSize(buf: Buffer): number {
    const lf = buf.indexOf(0x0a);
    if (lf < 0) {
      if (buf.length > maxChunkLine) throw new DecodeError(`chunk-size line longer than ${maxChunkLine} bytes`, 'HTTP chunked body', this.offset);
      return -1;
    }
    if (lf > maxChunkLine) throw new DecodeError(`chunk-size line longer than ${maxChunkLine} bytes`, 'HTTP chunked body', this.offset);
    const line = buf.toString('latin1', 0, lf).replace(/\r$/, '');
    const m = /^([0-9A-Fa-f]{1,13})[ \t]*(?:;.*)?$/.exec(line);
    if (m === null) throw new DecodeError(`malformed chunk size '${printable(line)}'`, 'HTTP chunked body', this.offset);
    const size = parseInt(m[1]!, 16);
    if (size === 0) this.state = 'trailers';
    else { this.remaining = size; this.state = 'chunk-data'; }
    return lf + 1;
  }

  private trailers(buf: Buffer, out: ResponseEvent[]): number {
    // No trailer fields: the section is just the final CRLF.
    if (buf[0] === 0x0a) { this.finish(out); return 1; }
    if (buf[0] === 0x0d) {
      if (buf.length < 2) return -1;
      if (buf[1] === 0x0a) { this.finish(out); return 2; }
    }
    const end = endOfSection(buf, 0);
    if (end === undefined) {
      if (buf.length > this.maxHeadBytes) throw new DecodeError(`trailer section is larger than ${this.maxHeadBytes} bytes`, 'HTTP chunked body', this.offset);
      return -1;
    }
    if (end.contentEnd > this.maxHeadBytes) throw new DecodeError(`trailer section is larger than ${this.maxHeadBytes} bytes`, 'HTTP chunked body', this.offset);
    this.fields(splitLines(buf.toString('latin1', 0, end.contentEnd)), this.offset); // validated, then dropped
    this.finish(out);
    return end.next;
  }

  private describeState(): string {
    if (this.state === 'length') return `${this.remaining} body bytes missing`;
    if (this.state === 'head') return 'in the head';
    return `in the chunked body`;
  }
}

/** Where a head (or trailer section) ends: the empty line. contentEnd excludes the final line end. */
function endOfSection(buf: Buffer, from: number): { contentEnd: number; next: number } | undefined {
  let i = from;
  for (;;) {
    const lf = buf.indexOf(0x0a, i);
    if (lf < 0) return undefined;
    // the line after this LF is empty when the next byte is LF, or CR LF
    if (buf[lf + 1] === 0x0a) return { contentEnd: lf > from && buf[lf - 1] === 0x0d ? lf - 1 : lf, next: lf + 2 };
    if (buf[lf + 1] === 0x0d && buf[lf + 2] === 0x0a) return { contentEnd: lf > from && buf[lf - 1] === 0x0d ? lf - 1 : lf, next: lf + 3 };
    if (lf + 2 >= buf.length && (lf + 1 === buf.length || buf[lf + 1] === 0x0d)) return undefined; // undecidable yet
    i = lf + 1;
  }
}

function splitLines(text: string): string[] {
  return text.split('\n').map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
}

/** Content-Length (RFC 9110 §8.6): digits only; a list of identical values counts as one. */
function parseContentLength(value: string, at: number): number {
  const parts = value.split(',').map((s) => s.trim());
  const first = parts[0] ?? '';
  if (!/^\d{1,15}$/.test(first) || parts.some((p) => p !== first)) {
    throw new DecodeError(`invalid Content-Length '${printable(value)}'`, 'HTTP response head', at);
  }
  return Number(first);
}

function printable(s: string): string {
  return s.slice(0, 120).replace(/[^\x20-\x7e]/g, '?');
}
