/**
 * Benchmark (run by hand as root: `node --import tsx test/bench/pxe-boot/pxe-boot-bench.ts`):
 * time from QEMU start to the initrd's markers for one diskless BIOS guest (QEMU's iPXE ROM,
 * TCG) booting the same files
 *   - from Striker: startPxeServices (DHCP + TFTP, iPXE script rendered per MAC as a virtual
 *     TFTP file, router advertisements per `pxe.ipv6RouterAdvertisements`) + fastify (boot
 *     routes, installation tree, kickstart stand-in), and
 *   - from dnsmasq (DHCP + TFTP, the same script as a static file, `--no-ping`, option 60
 *     PXEClient forced so iPXE does not wait for more offers) + nginx (the same tree, the same
 *     kickstart as a static file),
 * each with router advertisements that end iPXE's IPv6 wait (Striker's own; dnsmasq
 * `--enable-ra` with an `ra-only` range) and without them, alternating, BENCH_ROUNDS rounds of
 * each of the four (default 3), in one network namespace (v6-pxe-bench). Each server has run
 * for BENCH_SETTLE_MS (default 4000) before the guest powers on, as a server on site has.
 *
 * Markers: `boot` = the kernel ran the initrd's /init; `installed` = the fake installer fetched
 * its kickstart and packages. Phases: tcpdump on the bridge, read into timeline events
 * (capture-events.ts) and split by the same function the Machines page uses
 * (striker/machines/boot-phases.ts), so both servers are measured from one kind of evidence;
 * `firmware` is QEMU start → first DHCPDISCOVER; `served` adds up the phases the servers answer
 * in (DHCP, script, kernel, initrd, kickstart → installed), apart from the guest's own CPU time
 * under TCG (firmware start, kernel boot), which no server changes. Prints per-boot lines,
 * per-phase medians, the ratios Striker / peer and Striker's own timeline phases for its last boot.
 * Captures and serial logs stay in /tmp/v6-pxe-bench-logs.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { setMaxListeners } from 'node:events';
import { copyFileSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bootPhases, type BootPhaseName, type PhaseEvent } from '../../../striker/machines/boot-phases.js';
import { ensureNativeAddon } from '../../support/netns-dhcp.js';
import { PXE_ADDRESS, PxeLab, type PxeServerSpec, type TimelineEventJson } from '../../support/netns-pxe.js';
import { bootGuest, buildInitrd, debianKernel } from '../../support/qemu-pxe.js';
import { requirePeers } from '../require-peers.js';
import { dhcpEvents, httpEvents, tftpEvents } from './capture-events.js';

const rounds = Number(process.env['BENCH_ROUNDS'] ?? 3);
const settleMs = Number(process.env['BENCH_SETTLE_MS'] ?? 4000);
const HTTP_PORT = 8080;
const httpUrl = `http://${PXE_ADDRESS}:${HTTP_PORT}`;
const mac = '52:54:00:77:5b:01';
const macDashes = mac.replaceAll(':', '-');
const PACKAGES = ['striker-agent-1.0-1.noarch.rpm', 'pcs-0.11-1.x86_64.rpm', 'kmod-drbd-9.2-1.x86_64.rpm'];
/** The ULA prefix on the bridge that dnsmasq's `ra-only` range is built from. */
const RA_PREFIX = 'fd00:77::';
const LOGS = '/tmp/v6-pxe-bench-logs';

type Who = 'striker' | 'peer';
type Variant = 'ra' | 'no-ra';
type Row = 'firmware' | BootPhaseName | 'installed';
interface Boot {
  boot: number;
  installed: number;
  phases: Partial<Record<Row, number>>;
}

requirePeers('qemu-system-x86_64', 'dnsmasq', 'nginx', 'cpio', 'busybox', 'ip', 'curl', 'apt-get', 'dpkg', 'tcpdump');
ensureNativeAddon();
spawnSync(process.execPath, ['scripts/build-native.mjs'], { stdio: 'inherit' });
const lab = new PxeLab('pxe-bench', 'v6');
const children: ChildProcess[] = [];
let lastStrikerEvents: TimelineEventJson[] = [];
const interrupted = new AbortController();
// Every boot listens on it (bootGuest); a run has a dozen boots or more.
setMaxListeners(100, interrupted.signal);
process.on('exit', () => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
});
process.once('SIGINT', () => {
  interrupted.abort();
  void lab.destroy().then(() => process.exit(130));
});

const tree = join(lab.dir, 'http/trees/test');
const spec = (variant: Variant): PxeServerSpec => ({
  httpPort: HTTP_PORT,
  treeDir: tree,
  packages: PACKAGES,
  machines: [{ mac, role: 'node', state: 'assigned', hostname: 'b1', check: { status: 'ready' } }],
  pxe: {
    installTree: { url: `${httpUrl}/trees/test`, kernel: 'vmlinuz', initrd: 'initrd.img', stage2: false },
    kernelArgs: ['console=ttyS0', 'panic=-1', 'quiet'],
    ipv6RouterAdvertisements: variant === 'ra' ? 'auto' : 'off',
    dhcp: {
      subnets: [{ cidr: '10.77.50.0/24', pools: [{ start: '10.77.50.100', end: '10.77.50.199' }], leaseTime: 600 }],
      boot: { 'ipxe-bios': 'ipxe/{mac-}.ipxe' },
    },
  },
});

const results: Record<`${Who}/${Variant}`, Boot[]> = { 'striker/ra': [], 'peer/ra': [], 'striker/no-ra': [], 'peer/no-ra': [] };
try {
  rmSync(LOGS, { recursive: true, force: true });
  mkdirSync(LOGS, { recursive: true });
  // Link-local and ULA addresses usable at once (no duplicate address detection), for both servers' advertisements.
  lab.spawn(['sysctl', '-qw', 'net.ipv6.conf.br0.accept_dad=0']);
  await new Promise((r) => setTimeout(r, 300));
  spawnSync('ip', ['-n', lab.ns, 'addr', 'add', `${RA_PREFIX}1/64`, 'dev', 'br0', 'nodad']);
  mkdirSync(join(tree, 'packages'), { recursive: true });
  const kernel = debianKernel();
  copyFileSync(kernel.vmlinuz, join(tree, 'vmlinuz'));
  buildInitrd(join(tree, 'initrd.img'), kernel.modules);
  for (const p of PACKAGES) writeFileSync(join(tree, 'packages', p), Buffer.alloc(20_000 + p.length, 1));

  // The peer serves exactly what Striker renders: the script (fetched from Striker once) and the kickstart.
  const first = await lab.startStriker(spec('no-ra'));
  const script = await (await fetchInNs(`${httpUrl}/boot/ipxe/${macDashes}`)).text();
  const ksPath = /inst\.ks=http:\/\/[^/]+(\/\S+)/.exec(script)?.[1];
  if (ksPath === undefined) throw new Error(`no inst.ks in Striker's script:\n${script}`);
  const ks = await (await fetchInNs(`${httpUrl}${ksPath}`)).text();
  await first.stop();
  mkdirSync(join(lab.dir, 'tftp/ipxe'), { recursive: true });
  writeFileSync(join(lab.dir, 'tftp/ipxe', `${macDashes}.ipxe`), script);
  mkdirSync(join(lab.dir, 'http', ksPath.slice(0, ksPath.lastIndexOf('/'))), { recursive: true });
  writeFileSync(join(lab.dir, 'http', ksPath), ks);
  writeNginxConf();

  const only = process.env['BENCH_ONLY'];
  for (let r = 0; r < rounds; r++) {
    for (const variant of ['ra', 'no-ra'] as const) {
      for (const who of ['striker', 'peer'] as const) {
        if (only !== undefined && only !== who && only !== variant) continue;
        const name = `${who}-${variant}-${r + 1}`;
        // TCG under a loaded host now and then panics the guest kernel early (IO-APIC timer check): boot again.
        let boot: Boot | undefined;
        for (let attempt = 1; boot === undefined; attempt++) {
          const outcome = await bootOnce(who, variant, attempt === 1 ? name : `${name}-try${attempt}`);
          if (typeof outcome === 'string') {
            if (attempt >= 3) throw new Error(outcome);
            console.log(`${name}: attempt ${attempt} failed, booting again: ${outcome.split('\n')[0]}`);
          } else boot = outcome;
        }
        results[`${who}/${variant}`].push(boot);
        const phaseText = Object.entries(boot.phases).map(([k, v]) => `${k} ${(v / 1000).toFixed(2)}`).join('  ');
        console.log(`${name.padEnd(16)} boot ${(boot.boot / 1000).toFixed(2)} s  installed ${(boot.installed / 1000).toFixed(2)} s  | ${phaseText}`);
      }
    }
  }
  report();
} finally {
  for (const f of ['dnsmasq.log', 'logs/error.log']) {
    try {
      copyFileSync(join(lab.dir, f), join(LOGS, f.replace('/', '-')));
    } catch {
      // not written in this run
    }
  }
  await lab.destroy();
}

/** One boot from power-on to the installed marker; a string says why it did not get there. */
async function bootOnce(who: Who, variant: Variant, name: string): Promise<Boot | string> {
  const stop = who === 'striker' ? await startStriker(variant) : await startPeer(variant, name);
  await new Promise((res) => setTimeout(res, settleMs));
  const pcap = join(LOGS, `${name}.pcap`);
  // --immediate-mode: packets reach the file as they come, none left in the ring when it stops.
  const dump = lab.spawn(['tcpdump', '--immediate-mode', '-U', '-n', '-i', 'br0', '-w', pcap]);
  let dumpErr = '';
  dump.stderr!.on('data', (d: Buffer) => (dumpErr += d.toString()));
  await new Promise((res) => setTimeout(res, 1000));
  const tap = lab.tap();
  const lines: string[] = [];
  const t0 = Date.now();
  const res = await bootGuest({ ns: lab.ns, tap, mac, firmware: 'bios', timeoutMs: 120_000, workDir: lab.dir, signal: interrupted.signal, onLine: (l) => lines.push(`${Date.now() - t0} ${l}`) });
  await stop();
  const dumped = new Promise((res2) => dump.once('exit', res2));
  dump.kill('SIGINT');
  await Promise.race([dumped, new Promise((res2) => setTimeout(res2, 3000))]);
  writeFileSync(join(LOGS, `${name}.serial`), lines.join('\n'));
  writeFileSync(join(LOGS, `${name}.tcpdump-stderr`), `${dumpErr}exit ${dump.exitCode ?? dump.signalCode}\n`);
  if (res.markers['installed'] === undefined) return `${name}: no install marker (qemu exit ${res.exit}, timed out ${res.timedOut}, ${res.elapsedMs} ms); serial tail:\n${res.serial.slice(-1500)}`;
  return { boot: res.markers['boot']!, installed: res.markers['installed'], phases: phasesFromCapture(pcap, t0, t0 + res.markers['installed']) };
}

/** The boot's phases from its capture (ms), `firmware` from QEMU start, `install` to the installed marker. */
function phasesFromCapture(pcap: string, t0: number, installedAt: number): Partial<Record<Row, number>> {
  const read = (...args: string[]): string => spawnSync('tcpdump', ['-r', pcap, '-n', '-tt', ...args], { encoding: 'utf8', maxBuffer: 1 << 30 }).stdout;
  const events: PhaseEvent[] = [
    ...dhcpEvents(read('-v', 'udp port 67 or udp port 68')),
    ...tftpEvents(read('udp and not port 67 and not port 68')),
    ...httpEvents(read('-A', `tcp dst port ${HTTP_PORT}`), read(`tcp src port ${HTTP_PORT}`)),
    { at: new Date(installedAt), step: 'install.finished', details: {} },
  ];
  const phases = bootPhases(events);
  const out: Partial<Record<Row, number>> = {};
  if (phases[0] !== undefined) out.firmware = phases[0].startAt.getTime() - t0;
  for (const p of phases) out[p.name] = p.durationMs;
  return out;
}

function report(): void {
  const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const cols = Object.keys(results) as (keyof typeof results)[];
  const title: Record<keyof typeof results, string> = { 'striker/ra': 'Striker, RA', 'peer/ra': 'dnsmasq+nginx, RA', 'striker/no-ra': 'Striker, no RA', 'peer/no-ra': 'dnsmasq+nginx, no RA' };
  const shown = cols.filter((c) => results[c].length > 0);
  const runs = Math.max(...shown.map((c) => results[c].length));
  console.log(`\nPXE boot, BIOS iPXE ROM under TCG: median of ${runs} boots per column, seconds (lower is better)`);
  console.log(`| phase (from the capture)          | ${shown.map((c) => title[c].padStart(20)).join(' | ')} |`);
  console.log(`| ---------------------------------- | ${shown.map(() => '-------------------:').join(' | ')} |`);
  const words: Record<Row, string> = {
    firmware: 'power-on → DHCPDISCOVER', dhcp: 'DHCP discover → ack', loader: 'first loader', 'dhcp-again': "loader's DHCP", script: 'ack → script (iPXE IPv6 wait here)',
    kernel: 'kernel over HTTP', initrd: 'initrd over HTTP', kickstart: 'kernel boot → kickstart', install: 'kickstart → installed', registered: 'registered', installed: 'total: power-on → installed',
  };
  const rows: Row[] = ['firmware', 'dhcp', 'script', 'kernel', 'initrd', 'kickstart', 'install'];
  for (const row of rows) {
    const cells = shown.map((c) => {
      const xs = results[c].map((b) => b.phases[row]).filter((x): x is number => x !== undefined);
      return (xs.length === 0 ? '–' : (median(xs) / 1000).toFixed(2)).padStart(20);
    });
    console.log(`| ${words[row].padEnd(34)} | ${cells.join(' | ')} |`);
  }
  const served = (b: Boot): number => (['dhcp', 'script', 'kernel', 'initrd', 'install'] as const).reduce((sum, k) => sum + (b.phases[k] ?? 0), 0);
  console.log(`| ${'served (all but guest CPU)'.padEnd(34)} | ${shown.map((c) => (median(results[c].map(served)) / 1000).toFixed(2).padStart(20)).join(' | ')} |`);
  console.log(`| ${'marker boot (kernel ran /init)'.padEnd(34)} | ${shown.map((c) => (median(results[c].map((b) => b.boot)) / 1000).toFixed(2).padStart(20)).join(' | ')} |`);
  console.log(`| ${words.installed.padEnd(34)} | ${shown.map((c) => (median(results[c].map((b) => b.installed)) / 1000).toFixed(2).padStart(20)).join(' | ')} |`);

  console.log('\nRatio Striker / dnsmasq+nginx, power-on → installed (goal ≤ 0.5×)');
  const pairs: [string, keyof typeof results, keyof typeof results][] = [
    ['both with RA (fair)', 'striker/ra', 'peer/ra'],
    ['both without RA', 'striker/no-ra', 'peer/no-ra'],
    ['Striker default (RA) vs peer without RA', 'striker/ra', 'peer/no-ra'],
  ];
  for (const [label, s, p] of pairs) {
    if (results[s].length === 0 || results[p].length === 0) continue;
    const med = median(results[s].map((b) => b.installed)) / median(results[p].map((b) => b.installed));
    const min = Math.min(...results[s].map((b) => b.installed)) / Math.min(...results[p].map((b) => b.installed));
    const servedMed = median(results[s].map(served)) / median(results[p].map(served));
    console.log(`  ${label.padEnd(42)} median ${med.toFixed(3)}×   min ${min.toFixed(3)}×   served phases (median) ${servedMed.toFixed(3)}×`);
  }
  if (lastStrikerEvents.length > 0) {
    console.log("\nStriker's own boot timeline, phases of its last boot (bootPhases, as on the Machines page):");
    for (const p of bootPhases(lastStrikerEvents.filter((e) => e.mac === mac))) {
      const rate = p.bytes !== undefined && p.transferMs !== undefined && p.transferMs > 0 ? `  ${(p.bytes / 1e6).toFixed(1)} MB in ${p.transferMs} ms (${(p.bytes / 1e3 / p.transferMs).toFixed(1)} MB/s)` : '';
      console.log(`  ${`${p.from} → ${p.name}`.padEnd(24)} ${String(p.durationMs).padStart(6)} ms${rate}`);
    }
  }
}

async function startStriker(variant: Variant): Promise<() => Promise<void>> {
  const server = await lab.startStriker(spec(variant));
  return async () => {
    const { events, status } = await server.status();
    lastStrikerEvents = events;
    const ra = status['ipv6RouterAdvertisements'] as { state?: string; sent?: unknown } | undefined;
    if (variant === 'ra' && ra?.state !== 'advertising') console.log(`  Striker's router advertiser: ${JSON.stringify(ra)}`);
    await server.stop();
  };
}

async function startPeer(variant: Variant, name: string): Promise<() => Promise<void>> {
  const dnsmasq = lab.spawn(['dnsmasq', '--keep-in-foreground', '--conf-file=/dev/null', '--port=0', '--interface=br0', '--bind-interfaces', '--user=root',
    '--dhcp-range=10.77.50.100,10.77.50.199,255.255.255.0,10m', `--dhcp-leasefile=${join(lab.dir, `dnsmasq-${name}.leases`)}`, '--no-ping',
    '--enable-tftp', `--tftp-root=${join(lab.dir, 'tftp')}`, `--dhcp-boot=ipxe/${macDashes}.ipxe`, '--dhcp-option-force=60,PXEClient',
    ...(variant === 'ra' ? ['--enable-ra', `--dhcp-range=${RA_PREFIX},ra-only`] : []),
    `--log-facility=${join(lab.dir, 'dnsmasq.log')}`]);
  const nginx = lab.spawn(['nginx', '-p', lab.dir, '-c', join(lab.dir, 'nginx.conf')]);
  children.push(dnsmasq, nginx);
  for (let i = 0; i < 100; i++) {
    if (await fetchInNs(`${httpUrl}/trees/test/vmlinuz`, 'HEAD').then((r) => r.ok, () => false)) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  return async () => {
    for (const c of [dnsmasq, nginx]) {
      const done = new Promise((r) => c.once('exit', r));
      c.kill('SIGTERM');
      await Promise.race([done, new Promise((r) => setTimeout(r, 3000))]);
    }
  };
}

function writeNginxConf(): void {
  mkdirSync(join(lab.dir, 'logs'), { recursive: true });
  mkdirSync(join(lab.dir, 'tmp'), { recursive: true });
  writeFileSync(join(lab.dir, 'nginx.conf'), `daemon off;
user root root;
worker_processes 1;
error_log ${lab.dir}/logs/error.log;
pid ${lab.dir}/nginx.pid;
events { worker_connections 1024; }
http {
  access_log off;
  sendfile on; tcp_nopush on;
  default_type application/octet-stream;
  client_body_temp_path ${lab.dir}/tmp; proxy_temp_path ${lab.dir}/tmp; fastcgi_temp_path ${lab.dir}/tmp; uwsgi_temp_path ${lab.dir}/tmp; scgi_temp_path ${lab.dir}/tmp;
  server { listen ${PXE_ADDRESS}:${HTTP_PORT}; root ${lab.dir}/http; }
}
`);
}

/** HTTP from inside the namespace (the bench process itself is outside it): curl via ip netns exec. */
async function fetchInNs(url: string, method = 'GET'): Promise<Response> {
  const proc = spawn('ip', ['netns', 'exec', lab.ns, 'curl', '-sS', ...(method === 'HEAD' ? ['-I'] : ['-X', method]), '-w', '\n%{http_code}', url], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout.on('data', (d: Buffer) => (out += d.toString()));
  const code = await new Promise<number | null>((r) => proc.once('exit', r));
  const nl = out.lastIndexOf('\n');
  const status = Number(out.slice(nl + 1));
  if (code !== 0 || !(status > 0)) throw new Error(`curl ${url} failed`);
  return new Response(method === 'HEAD' ? null : out.slice(0, nl), { status });
}
