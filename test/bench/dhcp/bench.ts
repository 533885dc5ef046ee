/**
 * DHCP benchmark (run by hand, as root; ~5 minutes):
 *   node --import tsx test/bench/dhcp/bench.ts [--period 5] [--tries 2] [--nice -5] [--rates 1000,2000,...]
 *
 * perfdhcp (relay mode, the only v4 mode it has) drives DORA exchanges at a ladder of rates
 * against Striker, Kea (kea-dhcp4, memfile with persist: true) and dnsmasq (--no-ping, lease
 * file on), same /16 pool, same namespaces, same machine. Each server starts fresh for each
 * step, servers interleaved per rate so machine noise hits all of them. Prints, per server,
 * the best DORA exchanges/s with under 1% of exchanges lost, and the ratios to Kea.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { NetnsLab, type StrikerDhcpProcess } from '../../support/netns-dhcp.js';
import { requirePeers } from '../require-peers.js';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? (process.argv[i + 1] ?? fallback) : fallback;
}
const period = Number(arg('period', '5'));
const tries = Number(arg('tries', '2'));
/** Scheduling priority for every server and perfdhcp alike, so unrelated work on a shared machine weighs less. */
const nice = Number(arg('nice', '-5'));
const renice = (pid: number | undefined) => {
  if (pid !== undefined && nice !== 0) spawnSync('renice', ['-n', String(nice), '-p', String(pid)]);
};
const rates = arg('rates', '1000,2000,2500,3000,3500,4000,5000,6000,8000').split(',').map(Number);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Step {
  rate: number;
  discovers: number;
  acks: number;
  perSecond: number;
  lossPercent: number;
  /** perfdhcp's own drop ratios and average delays per exchange half. */
  detail: string;
}

requirePeers('perfdhcp', 'kea-dhcp4', 'dnsmasq', 'ip', 'renice');
const lab = new NetnsLab('bench');
const s = lab.ns('s');
const c = lab.ns('c');
lab.link(s, 's0', c, 'c0', '10.77.0.1/16', '10.77.0.2/16');

type Stop = () => Promise<void>;
let runId = 0;

async function startStriker(): Promise<Stop> {
  const dir = join(lab.dir, `striker-${++runId}`);
  const server: StrikerDhcpProcess = await lab.startStriker(
    s,
    { interfaces: ['s0'], serverAddress: '10.77.0.1', subnets: [{ cidr: '10.77.0.0/16', pools: [{ start: '10.77.1.0', end: '10.77.254.254' }], router: '10.77.0.1', leaseTime: 3600 }] },
    dir,
    { DHCP_KEEP_EVENTS: '0' },
  );
  renice(server.proc.pid);
  return async () => {
    const { counters } = await server.status();
    const drops = Object.entries(counters.dropped).map(([k, v]) => `${k} ${v}`).join(', ');
    if (drops !== '') console.log(`         striker counted drops: ${drops}`);
    await server.stop();
  };
}

async function startKea(): Promise<Stop> {
  const dir = join(lab.dir, `kea-${++runId}`);
  mkdirSync(dir);
  const config = {
    Dhcp4: {
      'interfaces-config': { interfaces: ['s0'], 'dhcp-socket-type': 'raw' },
      'lease-database': { type: 'memfile', persist: true, name: join(dir, 'leases4.csv'), 'lfc-interval': 0 },
      'valid-lifetime': 3600, 'renew-timer': 1800, 'rebind-timer': 3150,
      'multi-threading': { 'enable-multi-threading': false },
      subnet4: [{ id: 1, subnet: '10.77.0.0/16', pools: [{ pool: '10.77.1.0 - 10.77.254.254' }], 'option-data': [{ name: 'routers', data: '10.77.0.1' }] }],
      loggers: [{ name: 'kea-dhcp4', output_options: [{ output: join(dir, 'kea.log') }], severity: 'WARN' }],
    },
  };
  writeFileSync(join(dir, 'kea.json'), JSON.stringify(config));
  const proc = lab.spawn(s, ['kea-dhcp4', '-c', join(dir, 'kea.json')], { KEA_LOCKFILE_DIR: dir, KEA_PIDFILE_DIR: dir });
  renice(proc.pid);
  await sleep(1500);
  if (proc.exitCode !== null) throw new Error('kea-dhcp4 exited at start');
  return async () => {
    const done = new Promise((r) => proc.once('exit', r));
    proc.kill('SIGTERM');
    await done;
  };
}

async function startDnsmasq(): Promise<Stop> {
  const dir = join(lab.dir, `dnsmasq-${++runId}`);
  mkdirSync(dir);
  const proc = lab.spawn(s, [
    'dnsmasq', '-k', '--conf-file=/dev/null', '--port=0', '--interface=s0', '--bind-interfaces',
    '--dhcp-range=10.77.1.0,10.77.254.254,255.255.0.0,1h', '--dhcp-lease-max=70000', '--dhcp-authoritative',
    `--dhcp-leasefile=${join(dir, 'dnsmasq.leases')}`, `--pid-file=${join(dir, 'dnsmasq.pid')}`,
    `--log-facility=${join(dir, 'dnsmasq.log')}`, '--quiet-dhcp', '--no-ping',
  ]);
  renice(proc.pid);
  await sleep(1000);
  if (proc.exitCode !== null) throw new Error('dnsmasq exited at start');
  return async () => {
    const done = new Promise((r) => proc.once('exit', r));
    proc.kill('SIGTERM');
    await done;
  };
}

function perfdhcp(rate: number, seconds = period): Step {
  const r = spawnSync('ip', ['netns', 'exec', c, 'nice', '-n', String(nice), 'perfdhcp', '-4', '-r', String(rate), '-R', '60000', '-p', String(seconds), '-W', '500000', '-l', '10.77.0.2', '10.77.0.1'], {
    encoding: 'utf8',
    timeout: (seconds + 30) * 1000,
  });
  const out = r.stdout ?? '';
  const field = (section: string, key: string) => Number(new RegExp(`${section}[\\s\\S]*?${key}: (\\d+)`).exec(out)?.[1] ?? 0);
  const discovers = field('DISCOVER-OFFER', 'sent packets');
  const acks = field('REQUEST-ACK', 'received packets');
  const ratio = (section: string) => new RegExp(`${section}[\\s\\S]*?drops ratio: ([\\d.]+)`).exec(out)?.[1] ?? '?';
  const delay = (section: string) => new RegExp(`${section}[\\s\\S]*?avg delay: ([\\d.]+)`).exec(out)?.[1] ?? '?';
  const detail = `DO drop ${ratio('DISCOVER-OFFER')}% avg ${delay('DISCOVER-OFFER')} ms, RA drop ${ratio('REQUEST-ACK')}% avg ${delay('REQUEST-ACK')} ms`;
  return { rate, discovers, acks, perSecond: acks / seconds, lossPercent: discovers === 0 ? 100 : (100 * (discovers - acks)) / discovers, detail };
}

const servers: [string, () => Promise<Stop>][] = [
  ['striker', startStriker],
  ['kea', startKea],
  ['dnsmasq', startDnsmasq],
];
const results = new Map<string, Step[]>(servers.map(([name]) => [name, []]));
const gaveUp = new Set<string>();
try {
  for (const rate of rates) {
    for (const [name, start] of servers) {
      if (gaveUp.has(name)) continue;
      // Each server starts fresh, gets one second of light load (JIT warm-up, ARP), then is
      // measured; the better of two tries counts (other work on a shared machine adds noise).
      let step: Step | undefined;
      for (let attempt = 0; attempt < tries && (step === undefined || step.lossPercent >= 1); attempt++) {
        const stop = await start();
        perfdhcp(500, 1);
        const run = perfdhcp(rate);
        await stop();
        if (step === undefined || run.lossPercent < step.lossPercent) step = run;
      }
      if (step === undefined) continue;
      results.get(name)!.push(step);
      console.log(`${name.padEnd(8)} rate ${String(rate).padStart(5)}: ${step.perSecond.toFixed(0).padStart(5)} DORA/s, ${step.lossPercent.toFixed(2)}% lost (${step.detail})`);
      if (step.lossPercent > 30) gaveUp.add(name);
    }
  }
} finally {
  await lab.destroy();
}

const best = new Map<string, number>();
for (const [name, steps] of results) best.set(name, Math.max(0, ...steps.filter((st) => st.lossPercent < 1).map((st) => st.perSecond)));
const kea = best.get('kea') ?? 0;
console.log(`\nDORA exchanges/s with < 1% lost (perfdhcp -p ${period}, leases persisted):`);
console.log('| server  | DORA/s <1% lost | vs Kea | peak DORA/s (any loss) |');
console.log('| ------- | --------------: | -----: | ---------------------: |');
const peak = new Map([...results].map(([name, steps]) => [name, Math.max(0, ...steps.map((st) => st.perSecond))]));
for (const [name, value] of best) console.log(`| ${name.padEnd(7)} | ${value.toFixed(0).padStart(15)} | ${kea > 0 ? (value / kea).toFixed(2) : 'n/a'}× | ${(peak.get(name) ?? 0).toFixed(0).padStart(22)} |`);

// Paired by offered rate: on a shared machine a single lucky or unlucky step moves the headline;
// the same-rate comparison shows the trend.
console.log(`\nSame offered rate, completed DORA/s (lost %):`);
console.log(`| rate | ${[...results.keys()].join(' | ')} | striker/kea |`);
console.log(`| ---: | ${[...results.keys()].map(() => '---:').join(' | ')} | ---: |`);
for (const rate of rates) {
  const cells = [...results.values()].map((steps) => steps.find((st) => st.rate === rate));
  const k = results.get('kea')?.find((st) => st.rate === rate);
  const st = results.get('striker')?.find((x) => x.rate === rate);
  const ratio = k !== undefined && st !== undefined && k.perSecond > 0 ? (st.perSecond / k.perSecond).toFixed(2) : 'n/a';
  console.log(`| ${rate} | ${cells.map((c) => (c === undefined ? '-' : `${c.perSecond.toFixed(0)} (${c.lossPercent.toFixed(1)}%)`)).join(' | ')} | ${ratio} |`);
}
