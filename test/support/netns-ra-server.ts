/**
 * Test peer runner, run inside a namespace: Striker's router advertiser (pxe/ipv6) on one
 * interface, as `striker serve` starts it. argv: IFACE [MODE]. Prints `ready`; stdin `status` →
 * one JSON line (RouterAdvertiserStatus). SIGTERM closes it.
 */
import { createInterface } from 'node:readline';
import { pino } from 'pino';
import { startRouterAdvertiser, type RouterAdvertisementMode } from '../../pxe/ipv6/router-advertiser.js';

const [iface, mode = 'auto'] = process.argv.slice(2);
if (iface === undefined || (mode !== 'auto' && mode !== 'off')) throw new Error('usage: netns-ra-server IFACE [auto|off]');
const advertiser = startRouterAdvertiser({ iface, mode: mode as RouterAdvertisementMode, logger: pino({ level: process.env['RA_LOG_LEVEL'] ?? 'warn' }, pino.destination(2)) });
process.stdout.write('ready\n');
createInterface({ input: process.stdin }).on('line', (line) => {
  if (line.trim() === 'status') process.stdout.write(`${JSON.stringify(advertiser.status())}\n`);
});
process.on('SIGTERM', () => {
  advertiser.close();
  process.exit(0);
});
