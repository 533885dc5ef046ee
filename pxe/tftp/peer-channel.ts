/**
 * A transfer's connected channel to its peer (RFC 1350 §4: one transfer id, one peer): what the
 * session sends OACK, DATA and ERROR through and receives the peer's ACKs from. Two adapters:
 *
 * - native (`native-channel.ts`): the addon in native/ owns the socket; a received datagram
 *   costs a recv(2) and one call into JS, a block one send(2). Used when the addon is built.
 * - dgram (here): a node:dgram socket connect(2)ed to the peer, one datagram per send. The
 *   fallback when the addon is not built, and what `nativeSockets: false` forces.
 */
import type { Socket } from 'node:dgram';
import type { BlockRing } from './block-ring.js';

export interface PeerChannel {
  /** 'native' or 'dgram': which adapter carries the transfer. */
  readonly kind: 'native' | 'dgram';
  /**
   * `handler` gets each datagram from the peer: `bytes[0, length)`, valid only during the call
   * (the native adapter reuses one buffer). `onError` gets socket errors (never fatal).
   */
  listen(handler: (bytes: Buffer, length: number) => void, onError: (error: Error) => void): void;
  /** Send one datagram (OACK, ERROR). */
  send(packet: Uint8Array): void;
  /** Send DATA blocks first..last (loaded in `ring`), in order. */
  sendBlocks(ring: BlockRing, first: number, last: number): void;
  close(): void;
}

export class DgramChannel implements PeerChannel {
  readonly kind = 'dgram';

  constructor(private readonly socket: Socket) {}

  listen(handler: (bytes: Buffer, length: number) => void, onError: (error: Error) => void): void {
    this.socket.on('message', (message) => handler(message, message.length));
    this.socket.on('error', onError);
  }

  send(packet: Uint8Array): void {
    this.socket.send(packet);
  }

  sendBlocks(ring: BlockRing, first: number, last: number): void {
    for (let block = first; block <= last; block++) this.socket.send(ring.packet(block));
  }

  close(): void {
    try {
      this.socket.close();
    } catch {
      // already closed
    }
  }
}
