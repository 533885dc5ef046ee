/**
 * PXE switched on through the API of a real `striker serve` (built by `npm run build`, on its
 * embedded PostgreSQL) running in a network namespace (`h1-apply`, PxeLab's bridge 10.77.50.1/24),
 * with no restart: before, a real DHCP client (busybox udhcpc) in a second namespace on the bridge
 * gets no offer; after PUT /api/settings/pxe it gets a lease from the range just set; after PXE is
 * switched off again it gets nothing. The API is called with curl inside the namespace.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { must, requireProgram } from '../../support/netns-dhcp.js';
import { PXE_ADDRESS, PxeLab } from '../../support/netns-pxe.js';
import { requireBuilt, STRIKER_MAIN } from '../../support/striker-process.js';

const PASSWORD = 'correct horse battery';
const PORT = 18480;
const CLIENT_MAC = '52:54:00:48:01:01';
let lab: PxeLab;
let clientNs: string;
let env: string[];
let jar: string;
let csrf = '';
let serve: ReturnType<PxeLab['spawn']> | undefined;

function inNs(ns: string, argv: string[], input?: string, timeoutMs = 30_000): { status: number | null; out: string } {
  const r = spawnSync('ip', ['netns', 'exec', ns, ...argv], { encoding: 'utf8', timeout: timeoutMs, ...(input === undefined ? {} : { input }) });
  return { status: r.status, out: `${r.stdout ?? ''}${r.stderr ?? ''}` };
}

/** The API from inside the Striker's namespace, with the admin's cookie and CSRF token. */
function api(method: string, path: string, body?: unknown): { status: number; json: Record<string, unknown> } {
  const argv = ['curl', '-s', '-b', jar, '-c', jar, '-X', method, '-H', 'accept: application/json', '-w', '\n%{http_code}'];
  if (csrf !== '') argv.push('-H', `x-csrf-token: ${csrf}`);
  if (body !== undefined) argv.push('-H', 'content-type: application/json', '--data-binary', JSON.stringify(body));
  const r = inNs(lab.ns, [...argv, `http://127.0.0.1:${PORT}${path}`]);
  const lines = r.out.trimEnd().split('\n');
  const status = Number(lines.pop());
  return { status, json: lines.length > 0 && lines.join('\n') !== '' ? (JSON.parse(lines.join('\n')) as Record<string, unknown>) : {} };
}

/** One DHCP attempt of a real client: the lease line udhcpc prints, or undefined. */
function dhcpLease(): string | undefined {
  const r = inNs(clientNs, ['udhcpc', '-f', '-q', '-n', '-t', '3', '-T', '1', '-s', '/bin/true', '-i', 'c0']);
  return /lease of ([\d.]+) obtained from ([\d.]+)/.exec(r.out)?.[0];
}

async function waitForServe(proc: ReturnType<PxeLab['spawn']>): Promise<void> {
  let out = '';
  let err = '';
  proc.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`striker serve did not start: ${err.slice(-2000)}`)), 120_000);
    proc.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (/running at /.test(out)) {
        clearTimeout(timer);
        resolve();
      }
    });
    proc.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`striker serve exited ${code}: ${err.slice(-2000)}`));
    });
  });
}

beforeAll(async () => {
  requireBuilt();
  requireProgram('udhcpc');
  requireProgram('curl');
  lab = new PxeLab('apply', 'h1');
  clientNs = `${lab.ns}-c`;
  spawnSync('ip', ['netns', 'del', clientNs]);
  must(['ip', 'netns', 'add', clientNs]);
  must(['ip', '-n', lab.ns, 'link', 'add', 'h1c0', 'type', 'veth', 'peer', 'name', 'c0', 'netns', clientNs]);
  must(['ip', '-n', lab.ns, 'link', 'set', 'h1c0', 'master', 'br0']);
  must(['ip', '-n', lab.ns, 'link', 'set', 'h1c0', 'up']);
  must(['ip', '-n', clientNs, 'link', 'set', 'lo', 'up']);
  must(['ip', '-n', clientNs, 'link', 'set', 'c0', 'address', CLIENT_MAC]);
  must(['ip', '-n', clientNs, 'link', 'set', 'c0', 'up']);
  jar = join(lab.dir, 'cookies');
  env = ['env', `STRIKER_DATA_DIR=${join(lab.dir, 'data')}`, 'STRIKER_HTTP__HOST=127.0.0.1', `STRIKER_HTTP__PORT=${PORT}`, 'STRIKER_LOG__LEVEL=warn'];
  serve = lab.spawn([...env, process.execPath, STRIKER_MAIN, 'serve']);
  await waitForServe(serve);
  const add = inNs(lab.ns, [...env, process.execPath, STRIKER_MAIN, 'user', 'add', 'admin', '--role', 'admin'], `${PASSWORD}\n`, 60_000);
  expect(add.status, add.out).toBe(0);
  const login = api('POST', '/api/session', { username: 'admin', password: PASSWORD });
  expect(login.status).toBe(200);
  csrf = String(login.json.csrfToken);
}, 240_000);

afterAll(async () => {
  // SIGTERM first, so serve stops its embedded PostgreSQL; the lab SIGKILLs whatever is left.
  if (serve && serve.exitCode === null && serve.signalCode === null) {
    const exited = new Promise((r) => serve!.once('exit', r));
    serve.kill('SIGTERM');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 30_000))]);
  }
  await lab?.destroy();
  if (clientNs) spawnSync('ip', ['netns', 'del', clientNs]);
});

describe('PXE switched on through the API, without a restart', () => {
  it('gives a real DHCP client nothing while PXE is off', () => {
    expect(api('GET', '/api/pxe/status').json).toEqual({ enabled: false });
    expect(dhcpLease()).toBeUndefined();
  });

  it('lists the bridge among the host’s interfaces with its address', () => {
    const { json } = api('GET', '/api/network/interfaces');
    expect(json.interfaces).toContainEqual(expect.objectContaining({ name: 'br0', ipv4: [`${PXE_ADDRESS}/24`], carrier: true }));
  });

  it('leases from the range set once PUT /api/settings/pxe switches PXE on', () => {
    const put = api('PUT', '/api/settings/pxe', { enabled: true, interface: 'br0', address: PXE_ADDRESS, subnet: '10.77.50.0/24', mode: 'full', rangeStart: '10.77.50.100', rangeEnd: '10.77.50.150' });
    expect(put.status, JSON.stringify(put.json)).toBe(200);
    expect(put.json).toMatchObject({ source: 'settings', running: { enabled: true, interface: 'br0' } });
    expect(api('GET', '/api/pxe/status').json).toMatchObject({ enabled: true, interface: 'br0', address: PXE_ADDRESS });
    expect(dhcpLease()).toMatch(new RegExp(`^lease of 10\\.77\\.50\\.(1[0-4]\\d|150) obtained from ${PXE_ADDRESS.replaceAll('.', '\\.')}$`));
    const checklist = api('GET', '/api/setup/checklist').json as { steps: { id: string; done: boolean }[] };
    expect(checklist.steps.find((s) => s.id === 'pxe')?.done).toBe(true);
  });

  it('answers nothing again once switched off', () => {
    const put = api('PUT', '/api/settings/pxe', { enabled: false, interface: 'br0', address: PXE_ADDRESS, subnet: '10.77.50.0/24', mode: 'full', rangeStart: '10.77.50.100', rangeEnd: '10.77.50.150' });
    expect(put.status).toBe(200);
    expect(api('GET', '/api/pxe/status').json).toEqual({ enabled: false });
    expect(dhcpLease()).toBeUndefined();
  });
});
