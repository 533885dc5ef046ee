import { describe, expect, it } from 'vitest';
import { answerFor, selectRange, type ConditionalHeaders, type ContentAnswer } from './content-conditions.js';

const mtimeMs = Date.UTC(2024, 4, 1, 12, 0, 0, 250);
const file = { size: 1000, etag: 'W/"3e8-18f3"', mtimeMs };
const lastModified = new Date(mtimeMs).toUTCString(); // to the second
const before = 'Tue, 30 Apr 2024 12:00:00 GMT';
const after = 'Thu, 02 May 2024 12:00:00 GMT';

describe('answerFor (RFC 9110 §13.2.2, §14)', () => {
  it.each<[string, ConditionalHeaders, ContentAnswer, string?]>([
    ['no conditions', {}, { status: 200 }],
    ['If-Match *', { 'if-match': '*' }, { status: 200 }],
    ['If-Match our tag', { 'if-match': '"other", W/"3e8-18f3"' }, { status: 200 }],
    ['If-Match our tag without W/', { 'if-match': '"3e8-18f3"' }, { status: 200 }],
    ['If-Match another tag', { 'if-match': '"other"' }, { status: 412 }],
    ['If-Unmodified-Since before the change', { 'if-unmodified-since': before }, { status: 412 }],
    ['If-Unmodified-Since = Last-Modified', { 'if-unmodified-since': lastModified }, { status: 200 }],
    ['If-Unmodified-Since not a date', { 'if-unmodified-since': 'yesterday' }, { status: 200 }],
    ['If-Match wins over If-Unmodified-Since', { 'if-match': '*', 'if-unmodified-since': before }, { status: 200 }],
    ['If-None-Match our tag', { 'if-none-match': 'W/"3e8-18f3"' }, { status: 304 }],
    ['If-None-Match *', { 'if-none-match': '*' }, { status: 304 }],
    ['If-None-Match another tag', { 'if-none-match': '"x"' }, { status: 200 }],
    ['If-Modified-Since = Last-Modified', { 'if-modified-since': lastModified }, { status: 304 }],
    ['If-Modified-Since before', { 'if-modified-since': before }, { status: 200 }],
    ['If-Modified-Since after', { 'if-modified-since': after }, { status: 304 }],
    ['If-None-Match wins over If-Modified-Since', { 'if-none-match': '"x"', 'if-modified-since': after }, { status: 200 }],
    ['412 before 304', { 'if-match': '"x"', 'if-none-match': '*' }, { status: 412 }],
    ['Range', { range: 'bytes=10-19' }, { status: 206, start: 10, end: 19 }],
    ['Range open-ended', { range: 'bytes=990-' }, { status: 206, start: 990, end: 999 }],
    ['Range past the end clipped', { range: 'bytes=990-5000' }, { status: 206, start: 990, end: 999 }],
    ['suffix Range', { range: 'bytes=-100' }, { status: 206, start: 900, end: 999 }],
    ['suffix Range longer than the file', { range: 'bytes=-5000' }, { status: 206, start: 0, end: 999 }],
    ['Range beyond the end', { range: 'bytes=1000-' }, { status: 416 }],
    ['Range beyond the end, huge', { range: 'bytes=99999999999999999999999-' }, { status: 416 }],
    ['suffix Range of zero', { range: 'bytes=-0' }, { status: 416 }],
    ['malformed Range ignored', { range: 'bytes=abc' }, { status: 200 }],
    ['reversed Range ignored', { range: 'bytes=20-10' }, { status: 200 }],
    ['other unit ignored', { range: 'items=0-1' }, { status: 200 }],
    ['adjacent ranges merged', { range: 'bytes=0-9, 10-19' }, { status: 206, start: 0, end: 19 }],
    ['disjoint ranges: the whole file', { range: 'bytes=0-9, 50-59' }, { status: 200 }],
    ['If-Range with our tag', { range: 'bytes=0-9', 'if-range': 'W/"3e8-18f3"' }, { status: 206, start: 0, end: 9 }],
    ['If-Range with another tag', { range: 'bytes=0-9', 'if-range': '"x"' }, { status: 200 }],
    ['If-Range with Last-Modified', { range: 'bytes=0-9', 'if-range': lastModified }, { status: 206, start: 0, end: 9 }],
    ['If-Range with another date', { range: 'bytes=0-9', 'if-range': before }, { status: 200 }],
    ['unsatisfiable Range after a failed If-Range', { range: 'bytes=5000-', 'if-range': '"x"' }, { status: 200 }],
    ['304 before Range', { range: 'bytes=0-9', 'if-none-match': '*' }, { status: 304 }],
  ])('%s', (_, headers, expected) => {
    expect(answerFor('GET', headers, file)).toEqual(expected);
  });

  it('ignores Range on HEAD (range handling is defined for GET only)', () => {
    expect(answerFor('HEAD', { range: 'bytes=0-9' }, file)).toEqual({ status: 200 });
    expect(answerFor('HEAD', { range: 'bytes=5000-' }, file)).toEqual({ status: 200 });
    expect(answerFor('HEAD', { 'if-none-match': '*' }, file)).toEqual({ status: 304 });
  });

  it('finds nothing satisfiable in an empty file, and ignores a flood of range specs', () => {
    expect(selectRange('bytes=0-', 0)).toBe('unsatisfiable');
    expect(selectRange('bytes=-10', 0)).toBe('unsatisfiable');
    expect(selectRange(`bytes=${Array.from({ length: 100 }, (_, i) => `${i}-${i}`).join(',')}`, 1000)).toBeUndefined();
  });
});
