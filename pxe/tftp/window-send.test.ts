import { spawnSync } from 'node:child_process';
import { createSocket, type Socket } from 'node:dgram';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BlockRing } from './block-ring.js';
import { bufferFile } from './file-source.js';
import { openTransferSockets, type TransferSockets } from './udp-sockets.js';
import { WindowSender, batchedSendAvailable } from './window-send.js';

const nativeDir = join(dirname(fileURLToPath(import.meta.url)), 'native');

/** Builds native/ (sendmmsg addon) with npm's node-gyp when it is not built yet. */
function ensureAddon(): void {
  if (existsSync(join(nativeDir, 'build/Release/send_packets.node'))) return;
  const nodeDir = dirname(dirname(process.execPath));
  const gyp = join(nodeDir, 'lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js');
  const r = spawnSync(process.execPath, [gyp, 'rebuild', `--nodedir=${nodeDir}`, '-C', nativeDir], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`node-gyp failed: ${r.stderr}`);
}

let client: Socket;
let sockets: TransferSockets;
const received: Buffer[] = [];

beforeAll(async () => {
  ensureAddon();
  client = createSocket('udp4');
  client.on('message', (message) => received.push(message));
  await new Promise<void>((resolve) => client.bind(0, '127.0.0.1', resolve));
  sockets = await openTransferSockets('127.0.0.1', { address: '127.0.0.1', port: client.address().port });
});

afterAll(() => {
  client.close();
  sockets.peer.close();
  sockets.strays.close();
});

async function receive(count: number): Promise<Buffer[]> {
  for (let i = 0; i < 200 && received.length < count; i++) await new Promise((resolve) => setTimeout(resolve, 5));
  return received.splice(0, received.length);
}

describe('WindowSender', () => {
  const bytes = Buffer.from(Array.from({ length: 10 * 512 + 100 }, (_, i) => (i * 7) & 0xff));

  it('the sendmmsg addon is built and loads', () => {
    expect(batchedSendAvailable()).toBe(true);
  });

  it.each([
    { name: 'one sendmmsg(2) per window', batched: true },
    { name: 'dgram, one datagram at a time', batched: false },
  ])('sends a window in order, byte for byte: $name', async ({ batched }) => {
    const ring = new BlockRing(bufferFile(bytes), 512, 8, 11);
    await ring.fill(1);
    const sender = new WindowSender(sockets.peer, ring, 8, { batched });
    sender.send(1, 8);
    const window = await receive(8);
    expect(window).toEqual([1, 2, 3, 4, 5, 6, 7, 8].map((block) => Buffer.from(ring.packet(block))));
    await ring.fill(9);
    sender.send(9, 11);
    const tail = await receive(3);
    expect(tail.map((p) => p.readUInt16BE(2))).toEqual([9, 10, 11]);
    expect(tail[2]).toEqual(Buffer.concat([Buffer.from([0, 3, 0, 11]), bytes.subarray(5120)]));
  });
});
