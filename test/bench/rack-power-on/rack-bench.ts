/**
 * Benchmark (run by hand as root, under the shared lock, after `npm run build`):
 *   flock /tmp/stk-bench.lock node --import tsx test/bench/rack-power-on/rack-bench.ts
 * A rack powering on at once: RACK_MACHINES (default 50) simulated machines, each in its own
 * network namespace (rk-c<i>) with a veth on one bridge in the server namespace (rk-srv), start
 * together and boot with real clients (client.sh): DHCP with PXE options (udhcpc) → TFTP of a
 * 1 MiB loader (curl) → HTTP of the per-MAC boot script, a 10 MiB kernel and a 60 MiB initrd
 * (curl) → the machine's kickstart. Against, in the same run and on the same bridge, one after
 * the other (RACK_ROUNDS rounds, default 1, the order rotating):
 *   - Striker: the built `striker serve` (dist/) with PXE on the bridge, its own PostgreSQL,
 *     set up as an operator would before the first boot: the 50 machines described (role node,
 *     host name, reserved address) through the API, OS media (kickstart-media.ts) imported with
 *     `striker repo import`, the identity (PUT /api/setup/identity, its BCN on the bench's bridge)
 *     and the kickstart settings (root password, that tree) through the API, and each machine's
 *     pre-boot check run (POST …/kickstart/check) until all are ready; the loader from
 *     `pxe.loaders.ipxeDir`, kernel and initrd from its installation-tree route, and each client's
 *     own rendered kickstart from its kickstart route (the client checks for 200 and its own MAC's
 *     network line; anything else fails the client and the bench);
 *   - dnsmasq (DHCP + TFTP, `--no-ping`) + nginx (sendfile) serving the same files, the same
 *     boot scripts (copied from Striker's) and each machine's kickstart as a static file (Striker's
 *     preview of it).
 * Prints per side: time until the last client finished, the slowest and fastest client, the
 * median per phase, the servers' CPU seconds during the boot (a cgroup-v1 cpuacct group each,
 * children included: PostgreSQL for Striker, nginx's workers for the peer), and the ratio; and
 * for Striker the latency of GET /api/machines (the Machines page's request), polled every
 * 250 ms during the boot, against the same request before the boot. Each boot's line names its
 * start ("go at", epoch seconds), to cut a `perf record -a --clockid=CLOCK_REALTIME` of the run
 * (`perf report --time START,END`) to one side's boot.
 * Env: RACK_SETTINGS='pxe.tftp.nativeSockets=false,…' adds config keys (JSON values) to Striker's;
 * RACK_NODE_ARGS='--cpu-prof --cpu-prof-dir=/tmp/x' adds Node options to `striker serve`;
 * RACK_MAIN runs another build's main.js (a copy of dist/ inside the checkout, so the native
 * addons and node_modules resolve as from dist/), so the checkout can be rebuilt during a run.
 * RACK_MAIN_B (and RACK_SETTINGS_B, config keys as RACK_SETTINGS, applied after them) adds a
 * second Striker, "Striker B", to every round: the same data directory, database and setup,
 * another build or other settings. The rounds then boot Striker, Striker B and the peer (the
 * order rotating), and B/A is printed per round: an A/B of a change within one run.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { sampleIdentity } from '../../../striker/setup/sample-identity.js';
import { requirePeers } from '../require-peers.js';
import { makeKickstartMedia } from './kickstart-media.js';

requirePeers('ip', 'udhcpc', 'curl', 'dnsmasq', 'nginx', 'rpmbuild', 'createrepo_c', 'dnf');
const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '../../..');
const MAIN = process.env['RACK_MAIN'] ?? join(root, 'dist/striker/app/main.js');
const MAIN_B = process.env['RACK_MAIN_B'] ?? (process.env['RACK_SETTINGS_B'] === undefined ? undefined : MAIN);
for (const main of [MAIN, MAIN_B]) {
  if (main !== undefined && !existsSync(main)) {
    console.error(`${main} is missing: run npm run build first`);
    process.exit(2);
  }
}

const MACHINES = Number(process.env['RACK_MACHINES'] ?? 50);
const ROUNDS = Number(process.env['RACK_ROUNDS'] ?? 1);
const SRV = 'rk-srv';
const ADDRESS = '10.78.0.1';
const PORT = 8080;
const LOADER = 1024 * 1024;
const KERNEL = 10 * 1024 * 1024;
const INITRD = 60 * 1024 * 1024;
/** A client that has not finished after this long is a failure (starved or stuck). */
const CLIENT_TIMEOUT_S = 300;
const CG = '/sys/fs/cgroup/cpuacct';
/** The installation tree the imported media become; the kickstart settings name it. */
const TREE = 'rack-os';
const W = mkdtempSync('/tmp/rk-rack-');
chmodSync(W, 0o755);
const children: ChildProcess[] = [];
const namespaces: string[] = [];
let ISO = '';

const macOf = (i: number): string => `52:54:00:78:00:${i.toString(16).padStart(2, '0')}`;
const hostIdOf = (i: number): string => macOf(i).replaceAll(':', '-');
const nsOf = (i: number): string => `rk-c${String(i).padStart(2, '0')}`;

function must(argv: string[], input?: string): string {
  const r = spawnSync(argv[0]!, argv.slice(1), { encoding: 'utf8', timeout: 60_000, ...(input === undefined ? {} : { input }) });
  if (r.status !== 0) throw new Error(`${argv.join(' ')} exited ${r.status ?? r.signal}: ${r.stderr}${r.error?.message ?? ''}`);
  return r.stdout;
}

/** curl inside the server namespace: [status, body, seconds]. */
function curlIn(url: string, args: string[] = []): [number, string, number] {
  const r = spawnSync('ip', ['netns', 'exec', SRV, 'curl', '-sS', '-w', '\n%{http_code} %{time_total}', ...args, url], { encoding: 'utf8', timeout: 30_000 });
  const out = r.stdout ?? '';
  const nl = out.lastIndexOf('\n');
  const [status = '0', seconds = '0'] = out.slice(nl + 1).split(' ');
  return [Number(status), out.slice(0, nl), Number(seconds)];
}

function cgroup(name: string): string {
  const dir = join(CG, name);
  if (!existsSync(dir)) mkdirSync(dir);
  return dir;
}

const cpuSeconds = (group: string): number => Number(readFileSync(join(CG, group, 'cpuacct.usage'), 'utf8')) / 1e9;

/** Starts argv inside the server namespace in cgroup `group` (its children too). */
function startIn(group: string, argv: string[], log: string): ChildProcess {
  const dir = cgroup(group);
  const quoted = argv.map((a) => `'${a.replaceAll("'", "'\\''")}'`).join(' ');
  const child = spawn('sh', ['-c', `echo $$ > ${dir}/cgroup.procs && exec ip netns exec ${SRV} ${quoted} >>${log} 2>&1`], { stdio: 'ignore' });
  children.push(child);
  return child;
}

async function stop(child: ChildProcess, graceMs = 15_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const done = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  if ((await Promise.race([done.then(() => true), sleep(graceMs).then(() => false)])) === false) {
    child.kill('SIGKILL');
    await done;
  }
}

async function waitFor(what: string, check: () => boolean, timeoutMs = 120_000): Promise<void> {
  for (const start = Date.now(); Date.now() - start < timeoutMs; await sleep(200)) if (check()) return;
  throw new Error(`${what} did not happen within ${timeoutMs / 1000} s`);
}

function setUpNetwork(): void {
  cleanUpNetwork();
  must(['ip', 'netns', 'add', SRV]);
  namespaces.push(SRV);
  must(['ip', '-n', SRV, 'link', 'set', 'lo', 'up']);
  must(['ip', '-n', SRV, 'link', 'add', 'br0', 'type', 'bridge']);
  must(['ip', '-n', SRV, 'addr', 'add', `${ADDRESS}/24`, 'dev', 'br0']);
  must(['ip', '-n', SRV, 'link', 'set', 'br0', 'up']);
  for (let i = 0; i < MACHINES; i++) {
    const ns = nsOf(i);
    must(['ip', 'netns', 'add', ns]);
    namespaces.push(ns);
    must(['ip', 'link', 'add', `rkv${i}`, 'netns', SRV, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns]);
    must(['ip', '-n', ns, 'link', 'set', 'eth0', 'address', macOf(i)]);
    must(['ip', '-n', SRV, 'link', 'set', `rkv${i}`, 'master', 'br0']);
    for (const [n, dev] of [[SRV, `rkv${i}`], [ns, 'eth0'], [ns, 'lo']] as const) must(['ip', '-n', n, 'link', 'set', dev, 'up']);
  }
}

function cleanUpNetwork(): void {
  const existing = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' }).stdout ?? '';
  for (const line of existing.split('\n')) {
    const name = line.split(' ')[0] ?? '';
    if (name === SRV || /^rk-c\d+$/.test(name)) spawnSync('ip', ['netns', 'del', name]);
  }
}

/** The same bytes for both sides: loaders, kernel, initrd; nginx's root links to them. */
function writeFiles(): void {
  mkdirSync(join(W, 'loaders'), { recursive: true });
  const loader = randomBytes(LOADER);
  for (const name of ['ipxe.efi', 'undionly.kpxe', 'snponly.efi']) writeFileSync(join(W, 'loaders', name), loader);
  // Striker's default trees directory (<dataDir>/trees), where `striker repo import` puts trees too.
  const trees = join(W, 'striker-var/trees');
  const tree = join(trees, '.snapshots/rack');
  mkdirSync(tree, { recursive: true });
  writeFileSync(join(tree, 'vmlinuz'), randomBytes(KERNEL));
  writeFileSync(join(tree, 'initrd.img'), randomBytes(INITRD));
  symlinkSync('.snapshots/rack', join(trees, 'rack'));
  mkdirSync(join(W, 'http/trees'), { recursive: true });
  mkdirSync(join(W, 'http/boot/ipxe'), { recursive: true });
  mkdirSync(join(W, 'http/ks'), { recursive: true });
  symlinkSync(tree, join(W, 'http/trees/rack'));
  for (const d of ['logs', 'tmp', 'striker-var']) mkdirSync(join(W, d), { recursive: true });
}

function strikerConfig(file: string, settings: string): string {
  const extra = settings
    .split(',')
    .filter((s) => s !== '')
    .map((pair) => pair.split('=') as [string, string]);
  const config: Record<string, unknown> = {
    dataDir: join(W, 'striker-var'),
    http: { host: ADDRESS, port: PORT },
    log: { level: 'warn' },
    pxe: {
      enabled: true,
      interface: 'br0',
      address: ADDRESS,
      loaders: { ipxeDir: join(W, 'loaders') },
      dhcp: { subnets: [{ cidr: '10.78.0.0/24', pools: [{ start: '10.78.0.100', end: '10.78.0.199' }], leaseTime: 600 }] },
      tftp: {},
    },
  };
  for (const [path, value] of extra) {
    const keys = path.split('.');
    let at = config;
    for (const key of keys.slice(0, -1)) at = (at[key] ??= {}) as Record<string, unknown>;
    at[keys.at(-1)!] = JSON.parse(value) as unknown;
  }
  writeFileSync(file, JSON.stringify(config, null, 2));
  return file;
}

function striker(args: string[], input?: string): string {
  return must(['ip', 'netns', 'exec', SRV, process.execPath, MAIN, '--config', join(W, 'striker.json'), ...args], input);
}

interface Side {
  name: string;
  start(): Promise<void>;
  stop(): Promise<void>;
  group: string;
  /** Polled during the boot (Striker: GET /api/machines). */
  probe?: () => number;
  /** After the boot: what the servers counted (Striker: TFTP and DHCP counters from /api/pxe/status). */
  counters?: () => string;
}

let token = '';

/** An API request to Striker as the bench's admin; throws unless it answers `expect`. */
function api(method: string, path: string, expect: number, body?: unknown): unknown {
  const data = body === undefined ? [] : ['-H', 'content-type: application/json', '--data', JSON.stringify(body)];
  const [status, text] = curlIn(`http://${ADDRESS}:${PORT}${path}`, ['-X', method, '-H', `authorization: Bearer ${token}`, ...data]);
  if (status !== expect) throw new Error(`${method} ${path} answered ${status} (expected ${expect}): ${text.slice(0, 2000)}`);
  return text === '' ? undefined : (JSON.parse(text) as unknown);
}

/**
 * What an operator sets up before the first boot so every machine's kickstart can be served:
 * the OS media imported, the identity, the kickstart settings, and each machine's pre-boot check
 * run until it is ready (a machine that is not ready fails the bench here, with its problems).
 */
async function setUpKickstarts(): Promise<void> {
  striker(['repo', 'import', ISO, '--name', TREE]);
  api('PUT', '/api/setup/identity', 201, sampleIdentity({ networks: { ...sampleIdentity().networks, bcn: { subnet: '10.78.0.0/24', address: ADDRESS } } }));
  api('PUT', '/api/settings/kickstart', 200, { rootPassword: 'rack bench root password', timezone: 'Etc/UTC', tree: TREE });
  for (let i = 0; i < MACHINES; i++) api('POST', `/api/machines/${macOf(i)}/kickstart/check`, 202, {});
  const statusOf = (i: number) => (api('GET', `/api/machines/${macOf(i)}/kickstart/status`, 200) as { status: { status: string; problems: unknown[] } }).status;
  const pending = new Set(Array.from({ length: MACHINES }, (_, i) => i));
  for (const start = Date.now(); pending.size > 0 && Date.now() - start < 15 * 60_000; await sleep(1000)) {
    for (const i of [...pending]) {
      const s = statusOf(i);
      if (s.status === 'ready') pending.delete(i);
      else if (s.status !== 'unchecked') throw new Error(`the kickstart of ${macOf(i)} is ${s.status}: ${JSON.stringify(s.problems)}`);
    }
  }
  if (pending.size > 0) throw new Error(`${pending.size} kickstart check(s) did not finish within 15 minutes`);
}

/** A Striker side: `main` with the config file `config` (the same data directory for both). */
const strikerSide = (name: string, main: string, config: string): Side => ({
  name,
  group: 'rk-striker',
  async start() {
    const log = join(W, 'logs/striker.log');
    const nodeArgs = (process.env['RACK_NODE_ARGS'] ?? '').split(' ').filter((a) => a !== '');
    const child = startIn(this.group, [process.execPath, ...nodeArgs, main, '--config', config, 'serve'], log);
    this.stop = () => stop(child, 30_000);
    await waitFor('striker serve answering', () => child.exitCode === null && curlIn(`http://${ADDRESS}:${PORT}/api/health`)[0] > 0);
    if (child.exitCode !== null) throw new Error(`striker serve exited: ${readFileSync(log, 'utf8').slice(-3000)}`);
    if (token === '') {
      striker(['user', 'add', 'admin', '--role', 'admin'], 'rack-bench-password-1\n');
      token = striker(['token', 'create', 'admin', '--name', 'rack-bench']).trim();
      for (let i = 0; i < MACHINES; i++) {
        const [status, body] = curlIn(`http://${ADDRESS}:${PORT}/api/machines/${macOf(i)}`, [
          '-X', 'PATCH', '-H', `authorization: Bearer ${token}`, '-H', 'content-type: application/json',
          '--data', JSON.stringify({ role: 'node', hostname: `rack${i}`, reservedIp: `10.78.0.${10 + i}` }),
        ]);
        if (status !== 200) throw new Error(`describing ${macOf(i)} answered ${status}: ${body}`);
      }
      await setUpKickstarts();
      // The peer serves Striker's own boot scripts and each machine's kickstart (Striker's preview) as static files.
      for (let i = 0; i < MACHINES; i++) {
        const [status, script] = curlIn(`http://${ADDRESS}:${PORT}/boot/ipxe/${macOf(i)}`);
        if (status !== 200) throw new Error(`boot script for ${macOf(i)} answered ${status}`);
        writeFileSync(join(W, 'http/boot/ipxe', macOf(i)), script);
        const preview = api('GET', `/api/machines/${macOf(i)}/kickstart`, 200) as { kickstart: string };
        writeFileSync(join(W, 'http/ks', `${hostIdOf(i)}.ks`), preview.kickstart);
      }
    }
  },
  stop: async () => undefined,
  counters() {
    const [code, body] = curlIn(`http://${ADDRESS}:${PORT}/api/pxe/status`, ['-H', `authorization: Bearer ${token}`]);
    if (code !== 200) return `GET /api/pxe/status answered ${code}`;
    const status = JSON.parse(body) as Record<string, Record<string, unknown> | undefined>;
    const tftp = status['tftp'] ?? {};
    const dhcp = status['dhcp'] ?? {};
    return `TFTP served ${String(tftp['served'])}, refused ${JSON.stringify(tftp['refused'])}, errors ${JSON.stringify(tftp['errors'])}, retransmits ${String(tftp['retransmits'])}, duplicates ${String(tftp['duplicates'])}; DHCP answered ${JSON.stringify(dhcp['answered'])}, dropped ${JSON.stringify(dhcp['dropped'])}`;
  },
  probe() {
    const [status, , seconds] = curlIn(`http://${ADDRESS}:${PORT}/api/machines`, ['-o', '/dev/null', '-H', `authorization: Bearer ${token}`]);
    return status === 200 ? seconds * 1000 : NaN;
  },
});

const peerSide: Side = {
  name: 'dnsmasq+nginx',
  group: 'rk-peer',
  async start() {
    writeFileSync(join(W, 'nginx.conf'), `daemon off;
user root root;
worker_processes auto;
error_log ${W}/logs/nginx-error.log;
pid ${W}/nginx.pid;
events { worker_connections 1024; }
http {
  access_log off;
  sendfile on; tcp_nopush on;
  default_type application/octet-stream;
  client_body_temp_path ${W}/tmp; proxy_temp_path ${W}/tmp; fastcgi_temp_path ${W}/tmp; uwsgi_temp_path ${W}/tmp; scgi_temp_path ${W}/tmp;
  server { listen ${ADDRESS}:${PORT}; root ${W}/http; }
}
`);
    rmSync(join(W, 'dnsmasq.leases'), { force: true });
    const dnsmasq = startIn(this.group, ['dnsmasq', '--keep-in-foreground', '--conf-file=/dev/null', '--port=0', '--interface=br0', '--bind-interfaces', '--user=root',
      '--dhcp-range=10.78.0.100,10.78.0.199,255.255.255.0,10m', `--dhcp-leasefile=${join(W, 'dnsmasq.leases')}`, '--no-ping', '--dhcp-lease-max=1000',
      '--enable-tftp', `--tftp-root=${join(W, 'loaders')}`, '--tftp-max=200',
      '--dhcp-match=set:efi64,option:client-arch,7', '--dhcp-boot=tag:efi64,ipxe.efi', '--dhcp-boot=tag:!efi64,undionly.kpxe',
      `--log-facility=${join(W, 'logs/dnsmasq.log')}`], join(W, 'logs/dnsmasq.out'));
    const nginx = startIn(this.group, ['nginx', '-p', W, '-c', join(W, 'nginx.conf')], join(W, 'logs/nginx.out'));
    this.stop = async () => {
      await stop(dnsmasq);
      await stop(nginx);
    };
    await waitFor('nginx answering', () => curlIn(`http://${ADDRESS}:${PORT}/trees/rack/vmlinuz`, ['-I'])[0] === 200);
  },
  stop: async () => undefined,
};

interface ClientResult {
  ok: boolean;
  line: string;
  start: number;
  phases: number[];
  end: number;
  ks: string;
}

interface RoundResult {
  side: string;
  clients: ClientResult[];
  goAt: number;
  cpu: number;
  latencies: number[];
  idleLatencies: number[];
  counted: string;
}

async function bootRack(side: Side): Promise<RoundResult> {
  const go = join(W, 'go');
  rmSync(go, { force: true });
  for (let i = 0; i < MACHINES; i++) spawnSync('ip', ['-n', nsOf(i), 'addr', 'flush', 'dev', 'eth0']);
  await side.start();
  const idleLatencies: number[] = [];
  if (side.probe) for (let k = 0; k < 5; k++) idleLatencies.push(side.probe());
  const outputs: Promise<string>[] = [];
  for (let i = 0; i < MACHINES; i++) {
    const proc = spawn('ip', ['netns', 'exec', nsOf(i), 'timeout', String(CLIENT_TIMEOUT_S), 'bash', join(here, 'client.sh'), go, join(here, 'udhcpc-hook.sh'), macOf(i), hostIdOf(i), String(PORT), String(LOADER), String(KERNEL), String(INITRD)], { stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(proc);
    outputs.push(
      new Promise((resolve) => {
        let out = '';
        proc.stdout.on('data', (d: Buffer) => (out += d.toString()));
        proc.stderr.on('data', (d: Buffer) => (out += d.toString()));
        // 'close', not 'exit': only then has all of the client's output been read.
        proc.once('close', (code) => resolve(out.trim() === '' ? `fail exit ${code}` : out.trim()));
      }),
    );
  }
  await sleep(1500); // every client waiting for the start file
  const cpu0 = cpuSeconds(side.group);
  const goAt = Date.now() / 1000;
  writeFileSync(go, '');
  let running = true;
  const latencies: number[] = [];
  const prober = (async () => {
    while (running && side.probe) {
      latencies.push(side.probe());
      await sleep(250);
    }
  })();
  const lines = await Promise.all(outputs);
  const cpu = cpuSeconds(side.group) - cpu0;
  running = false;
  await prober;
  const counted = side.counters?.() ?? '';
  await side.stop();
  const clients = lines.map((line): ClientResult => {
    const [word, ...rest] = line.split(' ');
    if (word !== 'ok') return { ok: false, line, start: NaN, phases: [], end: NaN, ks: '' };
    const times = rest.slice(0, 5).map(Number);
    return { ok: true, line, start: times[0]!, phases: times.slice(1).map((t, k) => t - times[k]!), end: times[4]!, ks: rest[5] ?? '' };
  });
  return { side: side.name, clients, goAt, cpu, latencies, idleLatencies, counted };
}

/** The median; of an even count, the mean of the middle two (of two rounds, not the lower one). */
const median = (xs: number[]): number => {
  const s = xs.filter((x) => !Number.isNaN(x)).sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};

function summary(r: RoundResult): Record<string, number | string> {
  const ok = r.clients.filter((c) => c.ok);
  const totals = ok.map((c) => c.end - r.goAt);
  const failed = r.clients.length - ok.length;
  return {
    lastDone: failed > 0 ? NaN : Math.max(...totals),
    slowest: Math.max(...totals),
    fastest: Math.min(...totals),
    failed,
    cpu: r.cpu,
    dhcp: median(ok.map((c) => c.phases[0]!)),
    tftp: median(ok.map((c) => c.phases[1]!)),
    http: median(ok.map((c) => c.phases[2]!)),
    ks: median(ok.map((c) => c.phases[3]!)),
    ksStatus: [...new Set(ok.map((c) => c.ks))].join('/'),
  };
}

const results: RoundResult[] = [];
try {
  for (const group of ['rk-striker', 'rk-peer']) cgroup(group);
  setUpNetwork();
  writeFiles();
  ISO = await makeKickstartMedia(W);
  const settingsA = process.env['RACK_SETTINGS'] ?? '';
  const sides = [strikerSide('Striker', MAIN, strikerConfig(join(W, 'striker.json'), settingsA))];
  if (MAIN_B !== undefined) {
    const settingsB = [settingsA, process.env['RACK_SETTINGS_B'] ?? ''].filter((x) => x !== '').join(',');
    sides.push(strikerSide('Striker B', MAIN_B, strikerConfig(join(W, 'striker-b.json'), settingsB)));
    console.error(`Striker B: ${MAIN_B}, ${settingsB === '' ? 'defaults' : settingsB}`);
  }
  sides.push(peerSide);
  console.error(`${MACHINES} machines, ${ROUNDS} round(s); ${settingsA === '' ? 'Striker with its defaults' : settingsA}; ${W}`);
  for (let round = 0; round < ROUNDS; round++) {
    // Rotates, so every side boots first, in the middle and last in turn.
    const order = sides.map((_, k) => sides[(k + round) % sides.length]!);
    for (const side of order) {
      const r = await bootRack(side);
      results.push(r);
      const s = summary(r);
      console.error(`round ${round + 1} ${side.name.padEnd(14)} last done ${Number(s['lastDone']).toFixed(2)} s, failed ${s['failed']}, CPU ${Number(s['cpu']).toFixed(2)} s (go at ${r.goAt.toFixed(3)}, epoch s)`);
      for (const c of r.clients) if (!c.ok) console.error(`  ${c.line}`);
      const slowest = r.clients.filter((c) => c.ok).sort((a, b) => b.end - a.end)[0];
      if (slowest !== undefined) {
        const [dhcp, tftp, http, ks] = slowest.phases.map((x) => x.toFixed(2));
        console.error(`  slowest client (${r.clients.indexOf(slowest)}): started ${(slowest.start - r.goAt).toFixed(2)} s after go, DHCP ${dhcp} s, TFTP ${tftp} s, HTTP ${http} s, kickstart ${ks} s`);
      }
      if (r.counted !== '') console.error(`  ${r.counted}`);
    }
  }
  const fmt = (x: number | string, digits = 2): string => (typeof x === 'string' ? x : Number.isNaN(x) ? '-' : x.toFixed(digits));
  const bySide = (name: string) => results.filter((r) => r.side === name).map(summary);
  const s = bySide('Striker');
  const p = bySide('dnsmasq+nginx');
  const pick = (rows: Record<string, number | string>[], key: string): number => median(rows.map((r) => Number(r[key])));
  console.log(`\nrack power-on: ${MACHINES} machines at once (DHCP → TFTP 1 MiB → HTTP script + 10 MiB + 60 MiB → kickstart), median of ${ROUNDS} round(s) per side`);
  console.log('| measure                          | Striker  | dnsmasq+nginx | Striker/peer |');
  console.log('| -------------------------------- | -------- | ------------- | ------------ |');
  const rows: [string, string, boolean][] = [
    ['time until the last client finished (s)', 'lastDone', true],
    ['slowest client (s)', 'slowest', true],
    ['fastest client (s)', 'fastest', true],
    ['median DHCP (s)', 'dhcp', true],
    ['median TFTP 1 MiB (s)', 'tftp', true],
    ['median HTTP script+kernel+initrd (s)', 'http', true],
    ['median kickstart (s)', 'ks', true],
    ['server CPU during the boot (s)', 'cpu', true],
    ['clients failed', 'failed', false],
  ];
  for (const [label, key, ratio] of rows) {
    const a = pick(s, key);
    const b = pick(p, key);
    console.log(`| ${label.padEnd(32)} | ${fmt(a, key === 'failed' ? 0 : 2).padStart(8)} | ${fmt(b, key === 'failed' ? 0 : 2).padStart(13)} | ${ratio && b > 0 ? `${(a / b).toFixed(2)}×`.padStart(12) : '-'.padStart(12)} |`);
  }
  console.log(`| kickstart answers (HTTP status)  | ${String(s.map((r) => r['ksStatus']).join(',')).padStart(8)} | ${String(p.map((r) => r['ksStatus']).join(',')).padStart(13)} |              |`);
  // Each round's Striker and peer boots ran back to back, so their ratio is the least disturbed by
  // other load on the machine; printed per round with its median.
  const paired = (key: string) => s.map((row, k) => Number(row[key]) / Number(p[k]?.[key]));
  for (const [label, key] of [['last client', 'lastDone'], ['server CPU', 'cpu'], ['median TFTP', 'tftp'], ['median HTTP', 'http']] as const) {
    const ratios = paired(key);
    console.log(`Striker/peer per round, ${label}: ${ratios.map((x) => `${fmt(x)}×`).join(', ')} (median ${fmt(median(ratios))}×)`);
  }
  const sb = bySide('Striker B');
  if (sb.length > 0) {
    console.log(`\nStriker B (${MAIN_B}${process.env['RACK_SETTINGS_B'] === undefined ? '' : `, ${process.env['RACK_SETTINGS_B']}`}) against Striker, medians of ${ROUNDS} round(s)`);
    console.log('| measure                          | Striker  | Striker B | B/A      | B/peer   |');
    console.log('| -------------------------------- | -------- | --------- | -------- | -------- |');
    for (const [label, key, ratio] of rows) {
      const a = pick(s, key);
      const b = pick(sb, key);
      const peer = pick(p, key);
      const digits = key === 'failed' ? 0 : 2;
      console.log(`| ${label.padEnd(32)} | ${fmt(a, digits).padStart(8)} | ${fmt(b, digits).padStart(9)} | ${(ratio && a > 0 ? `${(b / a).toFixed(2)}×` : '-').padStart(8)} | ${(ratio && peer > 0 ? `${(b / peer).toFixed(2)}×` : '-').padStart(8)} |`);
    }
    for (const [label, key] of [['last client', 'lastDone'], ['server CPU', 'cpu'], ['median TFTP', 'tftp'], ['median HTTP', 'http'], ['median kickstart', 'ks']] as const) {
      const ratios = sb.map((row, k) => Number(row[key]) / Number(s[k]?.[key]));
      console.log(`Striker B/Striker per round, ${label}: ${ratios.map((x) => `${fmt(x)}×`).join(', ')} (median ${fmt(median(ratios))}×)`);
    }
  }
  const striker = results.filter((r) => r.side === 'Striker');
  console.log(`\nStriker's counters after its last boot (limits: a refusal names limit-total or limit-client): ${striker.at(-1)?.counted ?? '-'}`);
  const during = striker.flatMap((r) => r.latencies);
  const idle = striker.flatMap((r) => r.idleLatencies);
  const failedProbes = during.filter((x) => Number.isNaN(x)).length;
  const sorted = during.filter((x) => !Number.isNaN(x)).sort((a, b) => a - b);
  console.log(
    `\nGET /api/machines (${MACHINES} machines) during Striker's boot: median ${fmt(median(sorted), 1)} ms, p95 ${fmt(sorted[Math.floor(sorted.length * 0.95)] ?? NaN, 1)} ms, max ${fmt(sorted.at(-1) ?? NaN, 1)} ms over ${during.length} requests (${failedProbes} failed); before the boot: median ${fmt(median(idle), 1)} ms`,
  );
  const failures = results.flatMap((r) => r.clients.filter((c) => !c.ok).map((c) => `${r.side}: ${c.line}`));
  if (failures.length > 0) {
    console.error(`\nFAILED: ${failures.length} client boot(s) did not complete (a kickstart other than 200 with the machine's own content counts):\n${failures.slice(0, 20).join('\n')}`);
    process.exitCode = 1;
  }
} finally {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await sleep(500);
  cleanUpNetwork();
  for (const group of ['rk-striker', 'rk-peer']) spawnSync('rmdir', [join(CG, group)]);
  for (let i = 0; i < MACHINES; i++) for (const f of ['lease', 'ks']) rmSync(`/dev/shm/rk-${f}-${hostIdOf(i)}`, { force: true });
  if (process.env['RACK_KEEP'] !== '1') rmSync(W, { recursive: true, force: true });
}
