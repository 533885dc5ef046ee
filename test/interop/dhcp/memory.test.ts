/**
 * 100,000 active leases: the server loads them from its journal, keeps serving perfdhcp, and
 * stays under 250 MB resident.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { formatIpv4, parseIpv4 } from '../../../striker/core/net/ipv4.js';
import { encodeJournalLine } from '../../../pxe/dhcp/lease-journal.js';
import { NetnsLab, requireProgram } from '../../support/netns-dhcp.js';

const lab = new NetnsLab('mem');
afterAll(async () => lab.destroy());

it('holds 100,000 leases under 250 MB RSS and still answers', async () => {
  requireProgram('perfdhcp');
  const s = lab.ns('s');
  const c = lab.ns('c');
  lab.link(s, 's0', c, 'c0', '10.77.0.1/15', '10.77.0.2/15');
  const data = join(lab.dir, 'dhcp');
  mkdirSync(data);
  const first = parseIpv4('10.76.1.0')!;
  const expiresAt = Date.now() + 3_600_000;
  const lines: string[] = [];
  for (let i = 0; i < 100_000; i++) {
    const mac = `02:00:00:${((i >> 16) & 255).toString(16).padStart(2, '0')}:${((i >> 8) & 255).toString(16).padStart(2, '0')}:${(i & 255).toString(16).padStart(2, '0')}`;
    lines.push(encodeJournalLine({ kind: 'bind', lease: { ip: first + i, clientKey: `hw:${mac}`, mac, state: 'bound', expiresAt } }));
  }
  writeFileSync(join(data, 'leases.journal'), lines.join(''));
  const server = await lab.startStriker(
    s,
    { interfaces: ['s0'], serverAddress: '10.77.0.1', subnets: [{ cidr: '10.76.0.0/15', pools: [{ start: '10.76.1.0', end: '10.77.254.254' }] }] },
    data,
    { DHCP_KEEP_EVENTS: '0' },
  );
  const perf = lab.exec(c, ['perfdhcp', '-4', '-r', '500', '-R', '5000', '-p', '4', '-l', '10.77.0.2', '10.77.0.1'], 60_000);
  expect(perf.stdout).toMatch(/Rate: \d+/);
  const acked = Number(/REQUEST-ACK[\s\S]*?received packets: (\d+)/.exec(perf.stdout)?.[1] ?? 0);
  expect(acked).toBeGreaterThan(1500);
  // Resident size in steady state, before the status dump below builds a 100k-entry JSON answer.
  const rssKb = Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${server.proc.pid}/status`, 'utf8'))![1]);
  const status = await server.status();
  expect(status.leases.length).toBeGreaterThanOrEqual(100_000);
  expect(status.leases.some((l) => l.ip === formatIpv4(first + 99_999))).toBe(true);
  console.log(`RSS with ${status.leases.length} leases: ${(rssKb / 1024).toFixed(0)} MB`);
  expect(rssKb / 1024).toBeLessThan(250);
  await server.stop();
}, 120_000);
