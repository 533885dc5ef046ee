/**
 * Run Striker's TFTP server alone (benchmarks, manual tests):
 *   npx tsx test/bench/tftp/striker-tftpd.ts HOST PORT ROOT
 * Prints `listening HOST:PORT` and whether transfers use the native socket addon in
 * pxe/tftp/native (STK_TFTP_DGRAM=1 forces node:dgram); on SIGTERM prints the counters as JSON
 * and exits.
 */
import { pino } from 'pino';
import { DirectorySource } from '../../../pxe/tftp/directory-source.js';
import { startTftpServer } from '../../../pxe/tftp/server.js';
import { nativeChannelsAvailable } from '../../../pxe/tftp/native-addon.js';

const [host = '127.0.0.1', port = '6969', root = '/tmp'] = process.argv.slice(2);
const server = await startTftpServer({
  host,
  port: Number(port),
  source: new DirectorySource(root),
  logger: pino({ level: process.env['LOG_LEVEL'] ?? 'warn' }),
  limits: { maxTransfers: 512, maxPerClient: 512 },
  blksizeMax: 65464,
  windowsizeMax: 64,
  nativeSockets: process.env['STK_TFTP_DGRAM'] !== '1',
  ...(process.env['STK_TFTP_SPIN_US'] === undefined ? {} : { spinMicros: Number(process.env['STK_TFTP_SPIN_US']) }),
});
console.log(`listening ${server.address.address}:${server.address.port}`);
console.log(`transfer socket addon: ${nativeChannelsAvailable() && process.env['STK_TFTP_DGRAM'] !== '1' ? 'in use' : 'not in use (dgram)'}`);
process.on('SIGTERM', () => {
  console.log(JSON.stringify(server.counters));
  void server.close().then(() => process.exit(0));
});
