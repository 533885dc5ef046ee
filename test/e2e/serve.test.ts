/**
 * `striker serve` as a real process on the embedded PostgreSQL: health, the data-directory lock,
 * the CLI against a running Striker, bad configuration, graceful stop and restart.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, runStriker, startServe, type ServeProcess } from '../support/striker-process.js';

let dataDir: string;
let env: Record<string, string>;
let striker: ServeProcess | undefined;

function postgresRunning(dir: string): boolean {
  const out = execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' });
  return out.split('\n').some((l) => l.includes('postgres') && l.includes(join(dir, 'postgres')));
}

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'striker-serve-'));
  env = { STRIKER_DATA_DIR: dataDir, STRIKER_HTTP__HOST: '127.0.0.1', STRIKER_HTTP__PORT: String(await freePort()), STRIKER_LOG__LEVEL: 'info' };
  striker = await startServe(env);
});
afterAll(async () => {
  await striker?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('striker serve', () => {
  it('answers health on the embedded database', async () => {
    const res = await fetch(`${striker!.url}/api/health`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { status: string; database: { ok: boolean }; jobs: { running: boolean } };
    expect(body.status).toBe('ok');
    expect(body.database.ok).toBe(true);
    expect(body.jobs.running).toBe(true);
    expect(postgresRunning(dataDir)).toBe(true);
  });

  it('refuses a second serve on the same data directory', async () => {
    const second = await runStriker(['serve'], { ...env, STRIKER_HTTP__PORT: String(await freePort()) });
    expect(second.code).toBe(75);
    expect(second.stderr).toMatch(/in use by another striker process \(pid \d+/);
    const still = await fetch(`${striker!.url}/api/health`);
    expect(still.status).toBe(200);
  });

  it('lists every configuration problem and exits 78', async () => {
    const file = join(dataDir, 'bad.yaml');
    writeFileSync(file, 'http:\n  port: 99999\n  hots: x\njobs:\n  workers: many\n');
    const r = await runStriker(['--config', file, 'serve'], { STRIKER_DATA_DIR: join(dataDir, 'other'), STRIKER_LOG__LEVL: 'x' });
    expect(r.code).toBe(78);
    for (const key of ['http.port', 'http.hots', 'jobs.workers', 'log.levl']) expect(r.stderr).toContain(key);
  });

  it('refuses to start PXE on an interface that does not exist, or with a broken PXE section', async () => {
    const missing = join(dataDir, 'pxe-missing.yaml');
    writeFileSync(missing, 'pxe:\n  enabled: true\n  interface: stknosuch0\n  address: 10.201.4.1\n  dhcp:\n    subnets:\n      - cidr: 10.201.0.0/16\n        pools: [{ start: 10.201.100.1, end: 10.201.100.200 }]\n');
    const r = await runStriker(['--config', missing, 'serve'], { STRIKER_DATA_DIR: join(dataDir, 'pxe1'), STRIKER_HTTP__PORT: String(await freePort()) });
    expect(r.code).toBe(78);
    expect(r.stderr).toContain('pxe.interface stknosuch0 does not exist on this machine');
    const broken = join(dataDir, 'pxe-broken.yaml');
    writeFileSync(broken, 'pxe:\n  enabled: true\n  dhcp:\n    subnets:\n      - cidr: 10.201.0.0/16\n        pools: [{ start: 10.202.100.1, end: 10.201.100.200 }]\n');
    const b = await runStriker(['--config', broken, 'serve'], { STRIKER_DATA_DIR: join(dataDir, 'pxe2') });
    expect(b.code).toBe(78);
    for (const key of ['pxe.interface', 'pxe.address', 'pxe.dhcp.subnets.0.pools.0.start']) expect(b.stderr).toContain(key);
  });

  it('lets the CLI add a user to the running Striker, who can then log in', async () => {
    const add = await runStriker(['--json', 'user', 'add', 'ops', '--role', 'operator'], env, 'a decent password\n');
    expect(add.code, add.stderr).toBe(0);
    expect(JSON.parse(add.stdout)).toMatchObject({ username: 'ops', role: 'operator' });
    const dup = await runStriker(['user', 'add', 'ops'], env, 'a decent password\n');
    expect(dup.code).toBe(1);
    expect(dup.stderr).toContain('already exists');
    const weak = await runStriker(['user', 'add', 'weak'], env, 'short\n');
    expect(weak.code).toBe(65);
    expect(weak.stderr).toContain('at least 10 characters');
    const login = await fetch(`${striker!.url}/api/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'ops', password: 'a decent password' }) });
    expect(login.status).toBe(200);
    const list = await runStriker(['--json', 'user', 'list'], env);
    expect((JSON.parse(list.stdout) as { username: string }[]).map((u) => u.username)).toEqual(['ops']);
    const jobs = await runStriker(['jobs', 'show', '00000000-0000-4000-8000-000000000000'], env);
    expect(jobs.code).toBe(1);
    expect(jobs.stderr).toContain('does not exist');
  });

  it('stops cleanly on SIGTERM, stopping PostgreSQL, and starts again with its data', async () => {
    const stderr = striker!.stderr();
    const code = await striker!.stop();
    expect(code, stderr.slice(-3000)).toBe(0);
    expect(postgresRunning(dataDir)).toBe(false);
    striker = await startServe(env);
    const login = await fetch(`${striker.url}/api/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'ops', password: 'a decent password' }) });
    expect(login.status).toBe(200);
    const status = await runStriker(['--json', 'db', 'status'], env);
    expect((JSON.parse(status.stdout) as { appliedAt: string | null }[]).every((m) => m.appliedAt !== null)).toBe(true);
  });
});
