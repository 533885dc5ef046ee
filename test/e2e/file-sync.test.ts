/**
 * File sync end to end in network namespaces (prefix fs): one `striker serve`, two hosts each in
 * its own namespace running the built agent with its own files directory (a bind mount in the
 * agent's mount namespace), and a TCP proxy in the path of host 1 that can cut or damage answers.
 * One set-up, scenarios in sequence:
 *   1. a large file (1 GiB unless FILE_SYNC_BYTES says otherwise; a seeded AES-CTR stream, so no
 *      sparse zeros) added with `striker files add` and pushed with `striker files push` reaches
 *      both agents byte-identical; host 1's transfer is cut halfway and goes on with a Range
 *      request, the proxy serving less than 1.5× the file in all;
 *   2. a copy the proxy corrupts (one flipped byte) is never marked ready: the host reports failed
 *      with the reason, and neither the file nor its part is left on the host.
 */
import { createCipheriv, createHash } from 'node:crypto';
import { closeSync, createReadStream, existsSync, mkdirSync, openSync, readdirSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueToken } from '../../kickstart/index.js';
import { PgTokenStore } from '../../kickstart/token-store.js';
import { AgentLab, type LabHost } from '../support/netns-agent-lab.js';
import { requireProgram } from '../support/netns-dhcp.js';
import { freePort, requireBuilt, runStriker, spawnServe, type SpawnedServe } from '../support/striker-process.js';
import { TcpFaultProxy } from '../support/tcp-fault-proxy.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

const AGENT_MAIN = fileURLToPath(new URL('../../dist/striker/app/agent-main.js', import.meta.url));
const SIZE = Number(process.env.FILE_SYNC_BYTES ?? 1024 ** 3);
/** Where every host keeps files (bind-mounted over each agent's own directory). */
const HOST_FILES = '/run/striker-fs-files';

interface Agent {
  host: LabHost;
  dir: string;
  /** The agent's files directory as the test sees it. */
  files: string;
  proc?: ChildProcess;
  stderr: string;
}

let t: TestDatabase;
let lab: AgentLab;
let serve: SpawnedServe;
let strikerUrl: string;
let proxy: TcpFaultProxy;
let env: Record<string, string>;
let n1: Agent;
let n2: Agent;

async function waitFor<T>(what: string, check: () => Promise<T | undefined | false>, timeoutMs = 300_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}\nagent n1: ${n1?.stderr.slice(-2000)}\nagent n2: ${n2?.stderr.slice(-2000)}\nstriker: ${serve?.stderr().slice(-2000)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Writes `size` bytes of a seeded AES-CTR keystream; its SHA-256. */
function writeSeeded(path: string, size: number, seed: string): string {
  const cipher = createCipheriv('aes-128-ctr', createHash('md5').update(seed).digest(), Buffer.alloc(16));
  const hash = createHash('sha256');
  const zero = Buffer.alloc(4 << 20);
  const fd = openSync(path, 'w');
  try {
    for (let done = 0; done < size; ) {
      const chunk = cipher.update(zero.subarray(0, Math.min(zero.length, size - done)));
      hash.update(chunk);
      writeSync(fd, chunk);
      done += chunk.length;
    }
  } finally {
    closeSync(fd);
  }
  return hash.digest('hex');
}

async function sha256Of(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path, { highWaterMark: 4 << 20 })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

function agentDir(host: LabHost, urls: string[]): Agent {
  const dir = join(lab.dir, host.ns);
  const files = join(dir, 'files');
  mkdirSync(files, { recursive: true });
  writeFileSync(join(dir, 'agent.json'), JSON.stringify({ strikerUrls: urls, hostId: host.hostId, role: 'node', heartbeatSeconds: 1, inventorySeconds: 30, logLevel: 'info' }));
  return { host, dir, files, stderr: '' };
}

function startAgent(agent: Agent): void {
  // `ip netns exec` gives the agent a mount namespace of its own: the bind mount stays inside it.
  const script = `mkdir -p ${HOST_FILES} && mount --bind '${agent.files}' ${HOST_FILES} && exec "$0" "$@"`;
  const proc = lab.spawn(agent.host.ns, ['sh', '-c', script, process.execPath, AGENT_MAIN, '--config', join(agent.dir, 'agent.json'), '--credentials', join(agent.dir, 'agent-credentials.json')]);
  proc.stderr!.on('data', (d: Buffer) => (agent.stderr += d.toString()));
  agent.proc = proc;
}

function register(agent: Agent, token: string): number | null {
  const body = JSON.stringify({ hostId: agent.host.hostId, token });
  const out = join(agent.dir, 'agent-credentials.json');
  return lab.exec(agent.host.ns, ['sh', '-c', `umask 077; curl -fsS -X POST -H 'Content-Type: application/json' --data '${body}' -o '${out}.new' '${strikerUrl}/ks/${agent.host.hostId}/register' && mv '${out}.new' '${out}'`]).status;
}

interface HostRow { host_id: string; state: string; bytes: number; error: string | null; job_id: string; status: string; last_error: string | null }

async function hostRows(name: string): Promise<HostRow[]> {
  const { rows } = await t.db.query<HostRow>(
    `SELECT h.host_id, h.state, h.bytes::float8 AS bytes, h.error, h.job_id, j.status, j.last_error FROM file_hosts h JOIN files f ON f.id = h.file_id
     JOIN jobs j ON j.id = h.job_id WHERE f.name = $1 ORDER BY h.host_id`, [name]);
  return rows;
}

const ended = (r: HostRow) => ['succeeded', 'failed', 'cancelled'].includes(r.status);

async function striker(args: string[]) {
  const r = await runStriker(args, env, undefined, 600_000);
  expect(r.code, r.stderr).toBe(0);
  return r.stdout;
}

beforeAll(async () => {
  requireBuilt();
  requireProgram('ip');
  requireProgram('curl');
  t = await createTestDatabase();
  lab = new AgentLab('fs');
  const h1 = lab.host('n1', 91, '52:54:00:f5:00:01');
  const h2 = lab.host('n2', 92, '52:54:00:f5:00:02');
  const port = await freePort();
  const dir = join(lab.dir, 'striker');
  mkdirSync(dir, { recursive: true });
  const config = join(dir, 'striker.yaml');
  writeFileSync(config, [
    `dataDir: ${join(dir, 'var')}`,
    `http: { host: ${h1.gateway}, port: ${port} }`,
    `database: { urls: ['${t.url}'] }`,
    'jobs: { heartbeatSeconds: 1, staleAfterSeconds: 30, pollSeconds: 0.5, shutdownGraceSeconds: 2 }',
    `files: { hostDirectory: ${HOST_FILES} }`,
    'log: { level: warn }',
    '',
  ].join('\n'));
  env = { STRIKER_CONFIG: config };
  serve = spawnServe(env);
  strikerUrl = await Promise.race([serve.ready, serve.exited.then(({ code }) => { throw new Error(`striker exited ${code}: ${serve.stderr()}`); })]);
  // Host 1 reaches the Striker only through the proxy; host 2 directly.
  proxy = await TcpFaultProxy.start({ host: h1.gateway }, { host: h1.gateway, port }, /^\/api\/agent\/files\/[^/]+\/content$/);
  n1 = agentDir(h1, [proxy.url]);
  n2 = agentDir(h2, [strikerUrl]);
  for (const h of [h1, h2]) await t.db.write(`INSERT INTO machines (mac, role, state) VALUES ($1, 'node', 'installing')`, [h.mac]);
  const store = new PgTokenStore(t.db);
  for (const agent of [n1, n2]) {
    const token = await issueToken(store, agent.host.hostId, new Date(), 3600);
    expect(register(agent, token.token)).toBe(0);
    startAgent(agent);
  }
  await waitFor('both agents to say hello', async () => (await t.db.query(`SELECT 1 FROM host_agents`)).rows.length === 2, 60_000);
}, 180_000);

afterAll(async () => {
  await lab?.destroy();
  await proxy?.close();
  if (serve && serve.child.exitCode === null) {
    serve.child.kill('SIGTERM');
    await serve.exited;
  }
  await t?.drop();
});

describe('file sync to two agents', () => {
  it(`brings a ${SIZE}-byte file to both hosts byte-identical; a transfer cut halfway goes on with a Range`, async () => {
    const source = join(lab.dir, 'alma-big.iso');
    const sha256 = writeSeeded(source, SIZE, 'file-sync');
    const added = JSON.parse(await striker(['files', 'add', source, '--kind', 'iso', '--json'])) as { file: { id: string; sha256: string; sizeBytes: number } };
    expect(added.file).toMatchObject({ sha256, sizeBytes: SIZE });
    proxy.cutOnceAfter = Math.floor(SIZE / 2);
    await striker(['files', 'push', 'alma-big.iso', n1.host.hostId, n2.host.hostId]);
    const rows = await waitFor('both fetches to end', async () => {
      const r = await hostRows('alma-big.iso');
      return r.length === 2 && r.every(ended) ? r : undefined;
    }, 900_000);
    expect(rows.map((r) => [r.state, r.status, r.error])).toEqual([['ready', 'succeeded', null], ['ready', 'succeeded', null]]);
    for (const agent of [n1, n2]) {
      const copy = join(agent.files, 'alma-big.iso');
      expect(statSync(copy).size).toBe(SIZE);
      expect(await sha256Of(copy)).toBe(sha256);
      expect(readdirSync(agent.files)).toEqual(['alma-big.iso']);
    }
    // Host 1: the first request whole, then one going on from where the cut left the part.
    expect(proxy.requests.map((r) => r.range)).toEqual([undefined, expect.stringMatching(/^bytes=\d+-$/)]);
    const resumedAt = Number(/^bytes=(\d+)-$/.exec(proxy.requests[1]!.range!)![1]);
    expect(resumedAt).toBeGreaterThan(0);
    expect(resumedAt).toBeLessThanOrEqual(Math.floor(SIZE / 2));
    expect(proxy.servedBytes).toBeLessThan(SIZE * 1.5);
    const list = JSON.parse(await striker(['files', 'list', '--json'])) as { files: { name: string; hosts: { state: string }[] }[] };
    expect(list.files.find((f) => f.name === 'alma-big.iso')!.hosts.map((h) => h.state)).toEqual(['ready', 'ready']);
  }, 1_200_000);

  it('never marks a corrupted copy ready: failed with the reason, nothing left on the host', async () => {
    const source = join(lab.dir, 'tools.sh');
    writeSeeded(source, 8 * 1024 * 1024 + 3, 'corrupt');
    await striker(['files', 'add', source, '--kind', 'script']);
    proxy.requests.length = 0;
    proxy.flipAt = 5 * 1024 * 1024;
    await striker(['files', 'push', 'tools.sh', n1.host.hostId]);
    const [row] = await waitFor('the corrupted fetch to end', async () => {
      const r = await hostRows('tools.sh');
      return r.length === 1 && r.every(ended) ? r : undefined;
    }, 120_000);
    proxy.flipAt = undefined;
    expect(row).toMatchObject({ state: 'failed', status: 'failed' });
    expect(row!.error).toMatch(/the fetched bytes of tools\.sh have SHA-256 [0-9a-f]{64}, not [0-9a-f]{64}; the copy was deleted/);
    expect(existsSync(join(n1.files, 'tools.sh'))).toBe(false);
    expect(existsSync(join(n1.files, '.tools.sh.part'))).toBe(false);
    expect(proxy.requests).toHaveLength(1);
  }, 300_000);
});
