/**
 * A UDP proxy on loopback that drops a share of datagrams in both directions, for TFTP.
 * TFTP replies come from a new port per transfer (RFC 1350 §4), so the proxy works like a NAT:
 * each client address gets an upstream socket towards the server, and each server port seen
 * by that upstream socket gets its own client-facing socket. The first datagram from a client
 * (its request) is never dropped, so a run does not hang on the client's own RRQ timer.
 * Drops use a seeded generator: a failing run can be replayed.
 */
import { createSocket, type Socket } from 'node:dgram';
import type { ClientRun } from './tftp-clients.js';

export interface LossyProxy {
  readonly port: number;
  readonly dropped: { toServer: number; toClient: number };
  readonly forwarded: { toServer: number; toClient: number };
  close(): void;
}

export async function startLossyProxy(serverPort: number, lossRate: number, seed = 1): Promise<LossyProxy> {
  let x = seed >>> 0 || 1;
  const chance = (): number => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x / 0x1_0000_0000;
  };
  const sockets: Socket[] = [];
  const bind = async (): Promise<Socket> => {
    const socket = createSocket('udp4');
    sockets.push(socket);
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
    return socket;
  };
  const dropped = { toServer: 0, toClient: 0 };
  const forwarded = { toServer: 0, toClient: 0 };
  const front = await bind();
  /** client "ip:port" → upstream socket and its client-facing sockets per server port */
  const clients = new Map<string, Promise<Socket>>();

  const upstreamFor = (clientPort: number, clientAddress: string): Promise<Socket> => {
    const key = `${clientAddress}:${clientPort}`;
    const existing = clients.get(key);
    if (existing !== undefined) return existing;
    const created = bind().then((upstream) => {
      const faces = new Map<number, Promise<Socket>>();
      const faceFor = (transferPort: number): Promise<Socket> => {
        const known = faces.get(transferPort);
        if (known !== undefined) return known;
        const face = bind().then((socket) => {
          socket.on('message', (reply, from) => {
            if (chance() < lossRate) return void dropped.toServer++;
            forwarded.toServer++;
            if (from.port === clientPort) upstream.send(reply, transferPort, '127.0.0.1');
          });
          return socket;
        });
        faces.set(transferPort, face);
        return face;
      };
      upstream.on('message', (message, rinfo) => {
        void faceFor(rinfo.port).then((face) => {
          if (chance() < lossRate) return void dropped.toClient++;
          forwarded.toClient++;
          face.send(message, clientPort, clientAddress);
        });
      });
      return upstream;
    });
    clients.set(key, created);
    return created;
  };

  front.on('message', (message, rinfo) => {
    const isNew = !clients.has(`${rinfo.address}:${rinfo.port}`);
    void upstreamFor(rinfo.port, rinfo.address).then((upstream) => {
      if (!isNew && chance() < lossRate) return void dropped.toServer++;
      forwarded.toServer++;
      upstream.send(message, serverPort, '127.0.0.1');
    });
  });

  return {
    port: front.address().port,
    dropped,
    forwarded,
    close() {
      for (const socket of sockets) socket.close();
    },
  };
}

/**
 * One client fetch through a proxy dropping `lossRate` of the datagrams (closed afterwards):
 * the client's run and how many datagrams were dropped (the file is at `local`).
 */
export async function fetchThroughLoss(
  serverPort: number, lossRate: number, seed: number, local: string,
  fetch: (port: number, local: string) => Promise<ClientRun>,
): Promise<{ run: ClientRun; dropped: number }> {
  const proxy = await startLossyProxy(serverPort, lossRate, seed);
  try {
    const run = await fetch(proxy.port, local);
    return { run, dropped: proxy.dropped.toClient + proxy.dropped.toServer };
  } finally {
    proxy.close();
  }
}
