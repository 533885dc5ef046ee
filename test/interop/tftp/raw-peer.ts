/**
 * A raw UDP peer on loopback that speaks TFTP packet by packet (interop tests of transfer ids,
 * refusals and fuzzing).
 */
import { createSocket, type Socket } from 'node:dgram';
import { decodePacket, encodePacket, type TftpPacket } from '../../../pxe/tftp/codec.js';

/** A raw UDP peer to speak TFTP byte by byte. */
export interface RawPeer {
  readonly socket: Socket;
  send(p: TftpPacket | Buffer, port: number): void;
  /** The next packet received (decoded) and the port it came from. */
  next(ms?: number): Promise<{ packet: TftpPacket; port: number }>;
  close(): void;
}

export async function rawPeer(): Promise<RawPeer> {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const queue: { packet: TftpPacket; port: number }[] = [];
  const waiters: ((v: { packet: TftpPacket; port: number }) => void)[] = [];
  socket.on('message', (message, rinfo) => {
    const item = { packet: decodePacket(message), port: rinfo.port };
    const waiter = waiters.shift();
    if (waiter) waiter(item);
    else queue.push(item);
  });
  return {
    socket,
    send(p, port) {
      socket.send(Buffer.isBuffer(p) ? p : encodePacket(p), port, '127.0.0.1');
    },
    next(ms = 2000) {
      const queued = queue.shift();
      if (queued) return Promise.resolve(queued);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('no packet within timeout')), ms);
        waiters.push((v) => {
          clearTimeout(timer);
          resolve(v);
        });
      });
    },
    close() {
      socket.close();
    },
  };
}

/**
 * RFC 1350 §4: a peer on another port sends into a running transfer. Returns the transfer's first
 * two DATA packets (with the port they came from) and what the intruder got, for the caller to check
 * (ERROR 5 to the intruder, and the transfer going on from the same port).
 */
export async function intrudeOnTransfer(serverPort: number, filename: string) {
  const client = await rawPeer();
  const intruder = await rawPeer();
  try {
    client.send({ kind: 'RRQ', filename, mode: 'octet', options: new Map() }, serverPort);
    const first = await client.next();
    intruder.send({ kind: 'ACK', block: 1 }, first.port);
    const toIntruder = await intruder.next();
    client.send({ kind: 'ACK', block: 1 }, first.port);
    const second = await client.next();
    client.send({ kind: 'ERROR', code: 0, message: 'done' }, first.port);
    return { first, toIntruder, second };
  } finally {
    client.close();
    intruder.close();
  }
}
