/**
 * Test peer runner, run inside the PXE namespace: Striker's PXE services (startPxeServices:
 * DHCP + TFTP on br0) and a fastify app with the boot routes, the installation tree at
 * /trees/test/ and a stand-in for the kickstart routes (GET /ks/<host>/<sig>.ks,
 * POST /ks/<host>/events) that record the same timeline steps. argv: SPEC_JSON DATA_DIR.
 * Prints `ready`; stdin `status` → one JSON line {events, leases, status};
 * `machine <json>` → describes a machine, answers `ok`. SIGTERM closes everything.
 */
import { createReadStream, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import Fastify from 'fastify';
import { pino } from 'pino';
import type { BootKickstart, BootMachine } from '../../pxe/boot/boot-plan.js';
import { parsePxeConfig } from '../../pxe/pxe-config.js';
import { startPxeServices } from '../../pxe/pxe-services.js';
import type { BootEvent } from '../../pxe/boot/timeline.js';
import { PXE_ADDRESS, type PxeServerSpec, type TestMachine } from './netns-pxe.js';

const [specPath, dataDir] = process.argv.slice(2);
if (specPath === undefined || dataDir === undefined) throw new Error('usage: netns-pxe-server SPEC_JSON DATA_DIR');
const spec = JSON.parse(readFileSync(specPath, 'utf8')) as PxeServerSpec;
const logger = pino({ level: process.env['PXE_LOG_LEVEL'] ?? 'warn' }, pino.destination(2));
const httpUrl = `http://${PXE_ADDRESS}:${spec.httpPort}`;
const machines = new Map<string, TestMachine>(spec.machines.map((m) => [m.mac, m]));
const events: BootEvent[] = [];
const timeline = { record: (e: BootEvent) => void events.push(e) };

const config = parsePxeConfig({ interface: 'br0', address: PXE_ADDRESS, ...spec.pxe, enabled: true }, httpUrl);
const pxe = await startPxeServices({
  config,
  dataDir,
  logger,
  timeline,
  httpUrl,
  facts: {
    machine: async (mac): Promise<BootMachine | undefined> => {
      const m = machines.get(mac);
      return m === undefined ? undefined : { mac: m.mac, role: m.role, state: m.state, hostname: m.hostname };
    },
    kickstart: async (machine): Promise<BootKickstart | undefined> => {
      const m = machines.get(machine.mac);
      return m?.hostname == null || m.check === undefined ? undefined : { hostId: m.hostname, check: m.check };
    },
  },
  kickstartPath: (hostId) => `/ks/${hostId}/1790000000.${'S'.repeat(43)}.ks`,
  lookup: { reservationFor: () => undefined },
});

const app = Fastify({ logger: false });
for (const plugin of pxe.plugins) await app.register(plugin);
const record = (step: BootEvent['step'], ip: string, details: Record<string, unknown>): void => {
  const mac = pxe.macOfIp(ip);
  timeline.record(mac === undefined ? { step, ip, at: new Date(), details } : { step, mac, ip, at: new Date(), details });
};
app.get<{ Params: { '*': string } }>('/trees/test/*', async (req, reply) => {
  const rel = req.params['*'];
  if (!/^[A-Za-z0-9._/-]+$/.test(rel) || rel.includes('..')) return reply.code(404).send();
  const path = join(spec.treeDir, rel);
  let size: number;
  try {
    size = statSync(path).size;
  } catch {
    record('http.file', req.ip, { file: `trees/test/${rel}`, outcome: 'missing', bytes: 0 });
    return reply.code(404).send();
  }
  const started = Date.now();
  // As in pxe/http/boot-routes.ts: 'close' always comes, 'finish' not when the client hangs up first.
  reply.raw.once('close', () =>
    record('http.file', req.ip, { file: `trees/test/${rel}`, bytes: size, durationMs: Date.now() - started, outcome: reply.raw.writableFinished ? 'ok' : 'closed-by-client' }),
  );
  return reply.header('content-length', size).type('application/octet-stream').send(createReadStream(path));
});
app.get<{ Params: { host: string; sig: string } }>('/ks/:host/:sig', async (req, reply) => {
  const host = req.params.host;
  const machine = [...machines.values()].find((m) => m.hostname === host);
  if (machine === undefined || machine.check?.status !== 'ready') {
    record('kickstart.fetched', req.ip, { outcome: 'blocked', hostId: host });
    return reply.code(409).send();
  }
  record('kickstart.fetched', req.ip, { outcome: 'served', hostId: host });
  const lines = ['# Striker test kickstart', `# striker-test-events: ${httpUrl}/ks/${host}/events`];
  for (const p of spec.packages) lines.push(`# striker-test-fetch: ${httpUrl}/trees/test/packages/${p}`);
  lines.push('%packages', ...spec.packages.map((p) => p.replace(/\.rpm$/, '')), '%end', '');
  return reply.type('text/plain').send(lines.join('\n'));
});
app.post<{ Params: { host: string } }>('/ks/:host/events', async (req) => {
  const event = (req.body as { event?: unknown } | undefined)?.event;
  record(event === 'install.finished' ? 'install.finished' : 'http.file', req.ip, { hostId: req.params.host, event: String(event) });
  const machine = [...machines.values()].find((m) => m.hostname === req.params.host);
  if (machine !== undefined && event === 'install.finished') machine.state = 'installed';
  return { ok: true };
});
await app.listen({ host: PXE_ADDRESS, port: spec.httpPort });
process.stdout.write('ready\n');

createInterface({ input: process.stdin }).on('line', (line) => {
  if (line.trim() === 'status') {
    process.stdout.write(`${JSON.stringify({ events: events.map((e) => ({ ...e, at: e.at.toISOString() })), leases: pxe.leases(), status: pxe.status() })}\n`);
  } else if (line.startsWith('machine ')) {
    const m = JSON.parse(line.slice('machine '.length)) as TestMachine;
    machines.set(m.mac, m);
    process.stdout.write('ok\n');
  }
});
process.on('SIGTERM', () => {
  void Promise.all([app.close(), pxe.close()]).then(() => process.exit(0));
});
