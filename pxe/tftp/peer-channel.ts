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
  /** Replies sent the moment the expected ACKs arrive (native only), see `ReplyChain`. */
  readonly replies: ReplyChain | null;
  /**
   * `handler` gets the datagrams from the peer it must see: `bytes[0, length)`, valid only
   * during the call (the native adapter reuses one buffer). `answered`: replies of the chain
   * sent since the handler last heard (they come before this datagram); `current`: this
   * datagram was the last of them. `onError` gets socket errors (never fatal).
   */
  listen(handler: (bytes: Buffer, length: number, answered: number, current: boolean) => void, onError: (error: Error) => void): void;
  /** Send one datagram (OACK, ERROR). */
  send(packet: Uint8Array): void;
  /** Send DATA blocks first..last (loaded in `ring`), in order. */
  sendBlocks(ring: BlockRing, first: number, last: number): void;
  close(): void;
}

/**
 * A chain of replies prepared in advance (native/transfer-socket.c): while the peer's
 * datagrams are exactly the expected ACKs, entry i's DATA blocks go out the moment ACK i
 * arrives, and the handler hears of them afterwards, once per chain. The session fills the
 * chain with what `step()` answers to those ACKs, and feeds `step()` the ACKs afterwards.
 */
export interface ReplyChain {
  /** Entries one chain holds at most. */
  readonly capacity: number;
  /** Entry i: answer ACK `ack` (wire number) with blocks first..last of `ring`. False: no room. */
  set(i: number, ring: BlockRing, ack: number, first: number, last: number): boolean;
  /** Start answering with entries 0..entries-1 (all from `ring`). */
  commit(ring: BlockRing, entries: number): void;
  /** Entries answered that the handler has not heard of yet; drops the rest of the chain. */
  takeAnswered(): number;
  /** When entry i was answered (performance.now() ms). */
  answeredAt(i: number): number;
}

export class DgramChannel implements PeerChannel {
  readonly kind = 'dgram';
  readonly replies = null;

  constructor(private readonly socket: Socket) {}

  listen(handler: (bytes: Buffer, length: number, answered: number, current: boolean) => void, onError: (error: Error) => void): void {
    this.socket.on('message', (message) => handler(message, message.length, 0, false));
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
