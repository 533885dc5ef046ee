/**
 * Run Striker's TFTP server alone (benchmarks, manual tests):
 *   npx tsx test/bench/tftp/striker-tftpd.ts HOST PORT ROOT [KEY=VALUE,…]
 * KEY=VALUE pairs are `pxe.tftp` config keys (pxe/tftp/config.ts), e.g.
 * `nativeSockets=false,blksizeMax=1468,thread="main"`; everything else is the config's default
 * (`thread`: `worker`, as `striker serve` runs it), with limits raised so a benchmark is never
 * refused. Prints `listening HOST:PORT` and which transfer
 * sockets are in use; on SIGTERM prints the counters as JSON and exits.
 */
import { pino } from 'pino';
import { tftpConfigSchema } from '../../../pxe/tftp/config.js';
import { DirectorySource } from '../../../pxe/tftp/directory-source.js';
import { startTftpServer } from '../../../pxe/tftp/server.js';
import { startTftpWorker } from '../../../pxe/tftp/tftp-worker.js';

const [host = '127.0.0.1', port = '6969', root = '/tmp', settings = ''] = process.argv.slice(2);
const overrides = Object.fromEntries(
  settings
    .split(',')
    .filter((pair) => pair !== '')
    .map((pair) => {
      const [key = '', value = ''] = pair.split('=');
      return [key, JSON.parse(value) as unknown];
    }),
);
const config = tftpConfigSchema.parse({ ...overrides, limits: { maxTransfers: 512, maxPerClient: 512 } });
const server = await (config.thread === 'worker' ? startTftpWorker : startTftpServer)({
  host,
  port: Number(port),
  source: new DirectorySource(root),
  logger: pino({ level: process.env['LOG_LEVEL'] ?? 'warn' }),
  limits: config.limits,
  blksizeMax: config.blksizeMax,
  windowsizeMax: config.windowsizeMax,
  windowBytesMax: config.windowBytesMax,
  retransmit: config.timeouts,
  nativeSockets: config.nativeSockets,
});
console.log(`listening ${server.address.address}:${server.address.port}`);
console.log(`transfer sockets: ${server.sockets}, thread: ${config.thread}`);
process.on('SIGTERM', () => {
  console.log(JSON.stringify(server.counters));
  void server.close().then(() => process.exit(0));
});
