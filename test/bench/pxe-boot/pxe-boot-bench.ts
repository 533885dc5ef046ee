/**
 * Benchmark (run by hand as root: `node --import tsx test/bench/pxe-boot/pxe-boot-bench.ts`):
 * time from QEMU start to the initrd's markers for one diskless BIOS guest (QEMU's iPXE ROM,
 * TCG) booting the same files
 *   - from Striker: startPxeServices (DHCP + TFTP, iPXE script rendered per MAC as a virtual
 *     TFTP file) + fastify (boot routes, installation tree, kickstart stand-in), and
 *   - from dnsmasq (DHCP + TFTP, the same script as a static file, `--no-ping`, option 60
 *     PXEClient forced so iPXE does not wait for more offers) + nginx (the same tree, the
 *     same kickstart as a static file),
 * alternating, BENCH_ROUNDS rounds each (default 3), in one network namespace (stk-pxe-bench).
 * Markers: `boot` = the kernel ran the initrd's /init; `installed` = the fake installer fetched
 * its kickstart and packages. Prints medians and the ratio Striker / peer (goal ≤ 1.05×).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureNativeAddon } from '../../support/netns-dhcp.js';
import { PXE_ADDRESS, PxeLab, type PxeServerSpec } from '../../support/netns-pxe.js';
import { bootGuest, buildInitrd, debianKernel } from '../../support/qemu-pxe.js';
import { requirePeers } from '../require-peers.js';

const rounds = Number(process.env['BENCH_ROUNDS'] ?? 3);
const HTTP_PORT = 8080;
const httpUrl = `http://${PXE_ADDRESS}:${HTTP_PORT}`;
const mac = '52:54:00:77:5b:01';
const macDashes = mac.replaceAll(':', '-');
const PACKAGES = ['striker-agent-1.0-1.noarch.rpm', 'pcs-0.11-1.x86_64.rpm', 'kmod-drbd-9.2-1.x86_64.rpm'];

requirePeers('qemu-system-x86_64', 'dnsmasq', 'nginx', 'cpio', 'busybox', 'ip', 'curl', 'apt-get', 'dpkg');
ensureNativeAddon();
const lab = new PxeLab('bench', 'v6-pxe-bench');
const children: ChildProcess[] = [];
let lastStrikerSteps = '';
const interrupted = new AbortController();
process.on('exit', () => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
});
process.once('SIGINT', () => {
  interrupted.abort();
  void lab.destroy().then(() => process.exit(130));
});

const tree = join(lab.dir, 'http/trees/test');
const spec: PxeServerSpec = {
  httpPort: HTTP_PORT,
  treeDir: tree,
  packages: PACKAGES,
  machines: [{ mac, role: 'node', state: 'assigned', hostname: 'b1', check: { status: 'ready' } }],
  pxe: {
    installTree: { url: `${httpUrl}/trees/test`, kernel: 'vmlinuz', initrd: 'initrd.img', stage2: false },
    kernelArgs: ['console=ttyS0', 'panic=-1', 'quiet'],
    dhcp: {
      subnets: [{ cidr: '10.77.50.0/24', pools: [{ start: '10.77.50.100', end: '10.77.50.199' }], leaseTime: 600 }],
      boot: { 'ipxe-bios': 'ipxe/{mac-}.ipxe' },
    },
  },
};


try {
  mkdirSync(join(tree, 'packages'), { recursive: true });
  const kernel = debianKernel();
  copyFileSync(kernel.vmlinuz, join(tree, 'vmlinuz'));
  buildInitrd(join(tree, 'initrd.img'), kernel.modules);
  for (const p of PACKAGES) writeFileSync(join(tree, 'packages', p), Buffer.alloc(20_000 + p.length, 1));

  // The peer serves exactly what Striker renders: the script (fetched from Striker once) and the kickstart.
  const first = await lab.startStriker(spec);
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

  const results: Record<'striker' | 'peer', { boot: number[]; installed: number[] }> = { striker: { boot: [], installed: [] }, peer: { boot: [], installed: [] } };
  for (let r = 0; r < rounds; r++) {
    for (const who of (process.env['BENCH_ONLY'] === 'peer' ? ['peer'] : ['striker', 'peer']) as ('striker' | 'peer')[]) {
      const stop = who === 'striker' ? await startStriker() : await startPeer(r);
      const tap = lab.tap();
      const dump = process.env['BENCH_TCPDUMP'] === undefined ? undefined : lab.spawn(['tcpdump', '-l', '-n', '-tt', '-i', 'br0', '-w', `/tmp/v6-pxe-bench-logs/${who}-${r}.pcap`]);
      if (dump !== undefined) await new Promise((res) => setTimeout(res, 1000));
      const t0 = Date.now();
      writeFileSync(`/tmp/v6-pxe-bench-logs/${who}-${r}.t0`, String(t0 / 1000));
      const lines: string[] = [];
      const res = await bootGuest({ ns: lab.ns, tap, mac, firmware: 'bios', timeoutMs: 120_000, workDir: lab.dir, signal: interrupted.signal, onLine: (l) => lines.push(`${Date.now() - t0} ${l}`) });
      mkdirSync('/tmp/v6-pxe-bench-logs', { recursive: true });
      writeFileSync(`/tmp/v6-pxe-bench-logs/${who}-${r}.serial`, lines.join('\n'));
      await stop();
      dump?.kill('SIGINT');
      if (res.markers['installed'] === undefined) throw new Error(`${who} round ${r}: no install marker (qemu exit ${res.exit}, timed out ${res.timedOut}, ${res.elapsedMs} ms); serial tail:\n${res.serial.slice(-1500)}`);
      results[who].boot.push(res.markers['boot']!);
      results[who].installed.push(res.markers['installed']);
      console.log(`round ${r + 1} ${who.padEnd(7)} boot ${(res.markers['boot']! / 1000).toFixed(2)} s  installed ${(res.markers['installed'] / 1000).toFixed(2)} s`);
    }
  }
  console.log(`\nStriker's timeline for its last round:\n${lastStrikerSteps}`);
  const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  console.log(`\nPXE boot, BIOS iPXE ROM under TCG, ${rounds} rounds each (lower is better; TCG makes single runs vary by several seconds)`);
  console.log('| marker    | stat   | Striker (s) | dnsmasq+nginx (s) | ratio Striker/peer |');
  console.log('| --------- | ------ | ----------- | ----------------- | ------------------ |');
  for (const m of ['boot', 'installed'] as const) {
    for (const [stat, f] of [['median', median], ['min', (xs: number[]) => Math.min(...xs)]] as const) {
      const s = f(results.striker[m]);
      const p = f(results.peer[m]);
      console.log(`| ${m.padEnd(9)} | ${stat.padEnd(6)} | ${(s / 1000).toFixed(2).padStart(11)} | ${(p / 1000).toFixed(2).padStart(17)} | ${(s / p).toFixed(3).padStart(17)}× |`);
    }
  }
} finally {
  // Keep the peer's logs for a look after a failed run.
  mkdirSync('/tmp/stk-pxe-bench-logs', { recursive: true });
  for (const f of ['dnsmasq.log', 'logs/error.log']) {
    try {
      copyFileSync(join(lab.dir, f), join('/tmp/stk-pxe-bench-logs', f.replace('/', '-')));
    } catch {
      // not written in this run
    }
  }
  await lab.destroy();
}

async function startStriker(): Promise<() => Promise<void>> {
  const server = await lab.startStriker(spec);
  return async () => {
    // Where the time went, from Striker's own boot timeline (ms after the first DHCPDISCOVER).
    const { events } = await server.status();
    const t0 = Date.parse(events.find((e) => e.step === 'dhcp.discover')?.at ?? '');
    lastStrikerSteps = events
      .filter((e) => e.mac === mac)
      .map((e) => `${String(Date.parse(e.at) - t0).padStart(6)} ms  ${e.step} ${String(e.details['file'] ?? e.details['firmware'] ?? '')}`)
      .join('\n');
    await server.stop();
  };
}

async function startPeer(round: number): Promise<() => Promise<void>> {
  const dnsmasq = lab.spawn(['dnsmasq', '--keep-in-foreground', '--conf-file=/dev/null', '--port=0', '--interface=br0', '--bind-interfaces', '--user=root',
    '--dhcp-range=10.77.50.100,10.77.50.199,255.255.255.0,10m', `--dhcp-leasefile=${join(lab.dir, `dnsmasq-${round}.leases`)}`, '--no-ping',
    '--enable-tftp', `--tftp-root=${join(lab.dir, 'tftp')}`, `--dhcp-boot=ipxe/${macDashes}.ipxe`, '--dhcp-option-force=60,PXEClient',
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
