/**
 * Run Striker's TFTP server alone (benchmarks, manual tests):
 *   npx tsx test/bench/tftp/striker-tftpd.ts HOST PORT ROOT
 * Prints `listening HOST:PORT` and whether windows go out with sendmmsg(2) (the native addon in
 * pxe/tftp/native is built); on SIGTERM prints the counters as JSON and exits.
 */
import { pino } from 'pino';
import { DirectorySource } from '../../../pxe/tftp/directory-source.js';
import { startTftpServer } from '../../../pxe/tftp/server.js';
import { batchedSendAvailable } from '../../../pxe/tftp/window-send.js';

const [host = '127.0.0.1', port = '6969', root = '/tmp'] = process.argv.slice(2);
const server = await startTftpServer({
  host,
  port: Number(port),
  source: new DirectorySource(root),
  logger: pino({ level: process.env['LOG_LEVEL'] ?? 'warn' }),
  limits: { maxTransfers: 512, maxPerClient: 512 },
  blksizeMax: 65464,
  windowsizeMax: 64,
});
console.log(`listening ${server.address.address}:${server.address.port}`);
console.log(`sendmmsg addon: ${batchedSendAvailable() ? 'loaded' : 'not built (dgram sends)'}`);
process.on('SIGTERM', () => {
  console.log(JSON.stringify(server.counters));
  void server.close().then(() => process.exit(0));
});
