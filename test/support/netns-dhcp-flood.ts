/**
 * Sends COUNT random and mutated DHCP messages (the fuzz corpus, seeded) to HOST:PORT over UDP,
 * in bursts, from inside a client namespace; prints `sent N`. argv: HOST PORT COUNT SEED.
 */
import { createSocket } from 'node:dgram';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fuzzPacket, Rng } from '../../pxe/dhcp/fuzz-corpus.js';

const [host = '10.88.0.1', port = '67', count = '10000', seed = '7'] = process.argv.slice(2);
const fixtures = join(dirname(fileURLToPath(import.meta.url)), '../fixtures/dhcp');
const seeds = readdirSync(fixtures).filter((f) => f.endsWith('.bin')).map((f) => new Uint8Array(readFileSync(join(fixtures, f))));
const rng = new Rng(Number(seed));
const socket = createSocket('udp4');
let sent = 0;
const total = Number(count);
while (sent < total) {
  const burst = Math.min(200, total - sent);
  await Promise.all(
    Array.from({ length: burst }, () => {
      let bytes = fuzzPacket(rng, seeds);
      if (bytes.length === 0) bytes = Uint8Array.of(0);
      return new Promise<void>((resolve) => socket.send(bytes, Number(port), host, () => resolve()));
    }),
  );
  sent += burst;
  await new Promise((r) => setTimeout(r, 5));
}
socket.close();
process.stdout.write(`sent ${sent}\n`);
