/**
 * `striker serve` on a system PostgreSQL (database.urls) stops on SIGTERM: every connection it
 * opened, the shared LISTEN connection included, is given back, so its pool ends and the process
 * exits 0 after logging "stopped". (With the embedded database, stopping PostgreSQL ends the
 * connections anyway, which hid a pool that could never end.) A stop that hangs fails this test
 * by its time limit.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { freePort, requireBuilt, spawnServe, type SpawnedServe } from '../support/striker-process.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

let t: TestDatabase | undefined;
let serve: SpawnedServe | undefined;

afterAll(async () => {
  if (serve && serve.child.exitCode === null) serve.child.kill('SIGKILL');
  await t?.drop();
});

it('stops on SIGTERM with a system PostgreSQL: exit code 0, "stopped" logged', async () => {
  requireBuilt();
  t = await createTestDatabase();
  const dir = mkdtempSync(join(tmpdir(), 'striker-stop-'));
  mkdirSync(join(dir, 'var'));
  const port = await freePort();
  writeFileSync(join(dir, 'striker.yaml'), [
    `dataDir: ${join(dir, 'var')}`,
    `http: { host: 127.0.0.1, port: ${port} }`,
    `database: { urls: ['${t.url}'] }`,
    'log: { level: info }',
    '',
  ].join('\n'));
  serve = spawnServe({ STRIKER_CONFIG: join(dir, 'striker.yaml') });
  await Promise.race([serve.ready, serve.exited.then(({ code }) => { throw new Error(`striker exited ${code}: ${serve!.stderr()}`); })]);
  serve.child.kill('SIGTERM');
  const { code } = await serve.exited;
  expect(code, serve.stderr().slice(-3000)).toBe(0);
  expect(serve.stderr()).toMatch(/"msg":"stopped"/);
}, 120_000);
