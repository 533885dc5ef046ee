/**
 * UDP sockets for the TFTP server: the listening socket, and the pair each transfer gets.
 *
 * RFC 1350 §4: every transfer has its own server port (its transfer id), and a packet that
 * reaches that port from anyone but the transfer's peer is answered with ERROR 5 without
 * disturbing the transfer. A transfer therefore gets two sockets on one fresh port:
 *
 * - `peer`: connect(2)ed to the client, a `PeerChannel` (the native addon's socket, or dgram).
 *   Sending needs no destination address, so neither Node (address validation and lookup) nor
 *   the kernel (a route lookup per datagram) repeats that work for every DATA packet; the
 *   kernel delivers the peer's datagrams to it.
 * - `strays`: unconnected, bound to the same address and port (SO_REUSEADDR on both). The
 *   kernel prefers the connected socket for the peer's packets and hands every other source to
 *   this one, which answers ERROR 5. (Before connect(2) completes, the peer's first packet can
 *   land here too: the session treats packets on either socket alike.)
 *
 * The port is one no socket uses at all: a probe bound without SO_REUSEADDR picks it, then the
 * pair takes it over. (Binding with SO_REUSEADDR to port 0 could land on a port another
 * SO_REUSEADDR socket holds, which would then share our strays.)
 */
import { createSocket, type Socket, type SocketOptions } from 'node:dgram';
import type { Peer } from './file-source.js';
import { NativeChannel } from './native-channel.js';
import { DgramChannel, type PeerChannel } from './peer-channel.js';

/** IP literals need no resolution: answer at once instead of a DNS round trip per datagram. */
const literalLookup = ((address: string, _options: unknown, callback: (error: null, address: string, family: number) => void) =>
  callback(null, address, 4)) as unknown as NonNullable<SocketOptions['lookup']>;

const SOCKET_BUFFER_BYTES = 4 * 1024 * 1024;
/** Tries to take over a probed port that someone else bound in the meantime. */
const PORT_ATTEMPTS = 5;

export interface TransferSockets {
  /** Connected to the transfer's peer: send without an address. */
  readonly peer: PeerChannel;
  /** Same port, unconnected: receives other sources' packets and answers them. */
  readonly strays: Socket;
}

export function bindUdp(host: string, port: number, reuseAddr = false): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = createSocket({ type: 'udp4', lookup: literalLookup, reuseAddr });
    const onError = (error: Error): void => {
      socket.close();
      reject(error);
    };
    socket.once('error', onError);
    socket.bind({ address: host, port, exclusive: true }, () => {
      socket.off('error', onError);
      try {
        socket.setSendBufferSize(SOCKET_BUFFER_BYTES);
        socket.setRecvBufferSize(SOCKET_BUFFER_BYTES);
      } catch {
        // the kernel caps these at net.core.*mem_max; the defaults still work
      }
      resolve(socket);
    });
  });
}

/** `native`: the peer channel is the addon's socket (the caller checked it is built). */
export async function openTransferSockets(host: string, peer: Peer, native: boolean): Promise<TransferSockets> {
  for (let attempt = 1; ; attempt++) {
    const probe = await bindUdp(host, 0);
    const { port } = probe.address();
    probe.close();
    let channel: PeerChannel | null = null;
    try {
      if (native) {
        channel = NativeChannel.open(host, port, peer);
      } else {
        const socket = await bindUdp(host, port, true);
        channel = new DgramChannel(socket);
        await connect(socket, peer);
      }
      const strays = await bindUdp(host, port, true);
      return { peer: channel, strays };
    } catch (error) {
      channel?.close();
      if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE' || attempt >= PORT_ATTEMPTS) throw error;
    }
  }
}

function connect(socket: Socket, peer: Peer): Promise<void> {
  return new Promise((resolve, reject) => {
    socket.once('error', reject);
    socket.connect(peer.port, peer.address, () => {
      socket.off('error', reject);
      resolve();
    });
  });
}
