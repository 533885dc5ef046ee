/**
 * Test peer runner: starts Striker's DHCP server (journal lease store) with a JSON config, for
 * tests that run it inside a network namespace (`ip netns exec NS node --import tsx ...`).
 * argv: CONFIG_JSON_PATH DATA_DIR. Prints `ready` once listening; answers `status` on stdin with
 * one JSON line {counters, leases}; exits cleanly on SIGTERM.
 */
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { pino } from 'pino';
import { parseDhcpConfig } from '../../pxe/dhcp/config.js';
import { LeaseJournal } from '../../pxe/dhcp/lease-journal.js';
import { startDhcpServer } from '../../pxe/dhcp/server.js';
import type { BootEvent, BootTimeline } from '../../pxe/boot/timeline.js';

const [configPath, dataDir] = process.argv.slice(2);
if (configPath === undefined || dataDir === undefined) throw new Error('usage: netns-dhcp-server CONFIG_JSON DATA_DIR');
const logger = pino({ level: process.env['DHCP_LOG_LEVEL'] ?? 'warn' }, pino.destination(2));
const config = parseDhcpConfig(JSON.parse(readFileSync(configPath, 'utf8')));
const events: BootEvent[] = [];
const keepEvents = process.env['DHCP_KEEP_EVENTS'] !== '0';
const timeline: BootTimeline = { record: (e) => void (keepEvents && events.push(e)) };
const server = await startDhcpServer({ config, logger, timeline, leaseStore: new LeaseJournal({ directory: dataDir, logger }) });
process.stdout.write(`ready ${JSON.stringify(server.ports())}\n`);
createInterface({ input: process.stdin }).on('line', (line) => {
  if (line.trim() === 'status') {
    process.stdout.write(`${JSON.stringify({ counters: server.counters(), leases: server.leases(), events: events.map((e) => ({ ...e, at: e.at.toISOString() })) })}\n`);
  }
});
process.on('SIGTERM', () => {
  void server.close().then(() => process.exit(0));
});
