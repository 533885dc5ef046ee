/**
 * A transfer's connected channel to its peer (RFC 1350 §4: one transfer id, one peer): what the
 * session sends OACK, DATA and ERROR through and receives the peer's ACKs from. Two adapters:
 *
 * - native (`native-channel.ts`): the addon in native/ owns the socket; a received datagram
 *   costs a recv(2) and one call into JS, a window one sendmmsg(2). Used when the addon is built.
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
   * (the native adapter reuses one buffer). `replied`: the datagram was the ACK a
   * `prepareReply` waited for, and its reply is already sent. `onError` gets socket errors
   * (never fatal).
   */
  listen(handler: (bytes: Buffer, length: number, replied: boolean) => void, onError: (error: Error) => void): void;
  /** Send one datagram (OACK, ERROR). */
  send(packet: Uint8Array): void;
  /** Send DATA blocks first..last (loaded in `ring`), in order. */
  sendBlocks(ring: BlockRing, first: number, last: number): void;
  /**
   * When the next datagram is exactly ACK `ack` (wire number), send DATA blocks first..last
   * (loaded in `ring`, at most 64) at once, before the handler runs. The caller passes what
   * `step()` answers to that ACK; a later call replaces it, `cancelReply` drops it. False when
   * the channel cannot (dgram): then nothing is prepared.
   */
  prepareReply(ring: BlockRing, ack: number, first: number, last: number): boolean;
  cancelReply(): void;
  close(): void;
}

export class DgramChannel implements PeerChannel {
  readonly kind = 'dgram';

  constructor(private readonly socket: Socket) {}

  listen(handler: (bytes: Buffer, length: number, replied: boolean) => void, onError: (error: Error) => void): void {
    this.socket.on('message', (message) => handler(message, message.length, false));
    this.socket.on('error', onError);
  }

  send(packet: Uint8Array): void {
    this.socket.send(packet);
  }

  sendBlocks(ring: BlockRing, first: number, last: number): void {
    for (let block = first; block <= last; block++) this.socket.send(ring.packet(block));
  }

  prepareReply(): boolean {
    return false;
  }

  cancelReply(): void {}

  close(): void {
    try {
      this.socket.close();
    } catch {
      // already closed
    }
  }
}
