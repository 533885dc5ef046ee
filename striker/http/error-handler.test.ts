/**
 * The global error mapping keeps the status RFC 9110 gives a failed condition or range: a file
 * served with @fastify/static (`send`) answers 412 for a failed If-Match, 416 with
 * `Content-Range: bytes *\/len` for a range beyond the end, 304 for a matching If-None-Match.
 */
import fastifyStatic from '@fastify/static';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/support/test-app.js';
import { toErrorBody } from './error-handler.js';

let t: TestApp;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'striker-conditional-'));
  writeFileSync(join(dir, 'file.txt'), 'x'.repeat(100));
  t = await createTestApp({
    plugins: [
      async (app) => {
        await app.register(fastifyStatic, { root: dir, serve: false });
        app.get('/files/file.txt', { config: { access: 'public' } }, async (_req, reply) => reply.sendFile('file.txt'));
      },
    ],
  });
});
afterAll(async () => {
  await t.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('status codes of served files (RFC 9110)', () => {
  it('answers 412 PRECONDITION_FAILED to a failed If-Match', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/files/file.txt', headers: { 'if-match': '"not-the-etag"' } });
    expect(res.statusCode).toBe(412);
    expect(res.json()).toMatchObject({ error: { code: 'PRECONDITION_FAILED' } });
  });

  it('answers 416 with Content-Range: bytes */length to a range beyond the end', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/files/file.txt', headers: { range: 'bytes=500-600' } });
    expect(res.statusCode).toBe(416);
    expect(res.headers['content-range']).toBe('bytes */100');
    expect(res.json()).toMatchObject({ error: { code: 'RANGE_NOT_SATISFIABLE' } });
  });

  it('passes 304 through for a matching If-None-Match, and serves a satisfiable range as 206', async () => {
    const full = await t.app.inject({ method: 'GET', url: '/files/file.txt' });
    expect(full.statusCode).toBe(200);
    const etag = full.headers.etag as string;
    const again = await t.app.inject({ method: 'GET', url: '/files/file.txt', headers: { 'if-none-match': etag } });
    expect(again.statusCode).toBe(304);
    expect(again.body).toBe('');
    const part = await t.app.inject({ method: 'GET', url: '/files/file.txt', headers: { range: 'bytes=90-' } });
    expect(part.statusCode).toBe(206);
    expect(part.headers['content-range']).toBe('bytes 90-99/100');
  });

  it('keeps the meaning of other client-error statuses instead of calling them bad input', () => {
    const of = (statusCode: number) => toErrorBody(Object.assign(new Error('x'), { statusCode }), 'r').error.code;
    expect([403, 404, 405, 412, 413, 415, 416, 431].map(of)).toEqual([
      'FORBIDDEN', 'NOT_FOUND', 'METHOD_NOT_ALLOWED', 'PRECONDITION_FAILED', 'PAYLOAD_TOO_LARGE', 'UNSUPPORTED_MEDIA_TYPE', 'RANGE_NOT_SATISFIABLE', 'HEADERS_TOO_LARGE',
    ]);
    expect(of(400)).toBe('VALIDATION_FAILED');
    expect(of(500)).toBe('INTERNAL');
  });
});
