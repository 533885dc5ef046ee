/**
 * The native `PeerChannel` (see `peer-channel.ts`): a transfer socket owned by the addon in
 * native/transfer-socket.c. Receiving costs one recv(2) into a shared buffer; a stop-and-wait
 * DATA block is one send(2), a window (RFC 7440) one sendmmsg(2); the expected ACKs are
 * answered from a `ReplyChain` without calling JS for each. When the addon is not built,
 * `nativeChannelsAvailable()` (native-addon.ts) is false and the server uses dgram.
 */
import { getSystemErrorName } from 'node:util';
import type { BlockRing } from './block-ring.js';
import type { Peer } from './file-source.js';
import { loadTransferAddon, type Handle, type SpinState, type TransferSocketAddon } from './native-addon.js';
import type { PeerChannel, ReplyChain } from './peer-channel.js';
import { mechanismOff } from './mechanism-switches.js';

/**
 * Every native channel receives into this one buffer: the addon calls JS once per datagram, on
 * the main thread, and the handler is done with it before the next recv(2). 64 KiB holds any
 * UDP datagram, so nothing a client sends is truncated.
 */
const receiveBuffer = Buffer.alloc(65536);

/** Most DATA packets one sendmmsg(2) takes from JS (RFC 7440 windows are at most 64 here). */
const WINDOW_SLOTS = 64;
/** Replies one chain holds, and packets in them, at most (CHAIN, CHAIN_PACKETS in the addon). */
const CHAIN = 32;
const CHAIN_PACKETS = 256;
/** performance.now() minus uv_hrtime() in ms: both monotonic, so the difference is fixed. */
const HRTIME_TO_PERFORMANCE = performance.now() - Number(process.hrtime.bigint()) / 1e6;

export class NativeChannel implements PeerChannel, ReplyChain {
  readonly kind = 'native';
  readonly replies: ReplyChain = this;
  readonly capacity = CHAIN;
  private readonly offsets = new Uint32Array(WINDOW_SLOTS);
  private readonly lengths = new Uint32Array(WINDOW_SLOTS);
  private readonly chainAcks = new Uint32Array(CHAIN);
  private readonly chainStarts = new Uint32Array(CHAIN + 1);
  private readonly chainOffsets = new Uint32Array(CHAIN_PACKETS);
  private readonly chainLengths = new Uint32Array(CHAIN_PACKETS);
  private readonly answeredTimes = new Float64Array(CHAIN);
  private handler: (bytes: Buffer, length: number, answered: number, current: boolean) => void = () => undefined;
  private onError: (error: Error) => void = () => undefined;
  private closed = false;

  /** The addon's handle, set by `open`. */
  private handle: Handle = {};

  private constructor(private readonly addon: TransferSocketAddon) {}

  /**
   * A socket on `host:port` (SO_REUSEADDR: the strays socket shares the port) connected to
   * `peer`. `spinMicros`: how long the loop may stay awake waiting for the peer's reply after a
   * send (see "Spinning" in native/transfer-socket.c; 0: never). Throws a system error (`code` EADDRINUSE and the like) when it cannot be bound.
   */
  static open(host: string, port: number, peer: Peer, spinMicros: number): NativeChannel {
    const native = loadTransferAddon();
    if (native === null) throw new Error('the TFTP transfer socket addon (pxe/tftp/native) is not built');
    const channel = new NativeChannel(native);
    const opened = native.open(host, port, peer.address, peer.port, receiveBuffer, channel.answeredTimes, (length, answered, current) => channel.receive(length, answered, current), spinMicros);
    if (typeof opened === 'number') {
      const code = getSystemErrorName(opened);
      throw Object.assign(new Error(`${code}: cannot open a TFTP transfer socket on ${host}:${port} for ${peer.address}:${peer.port}`), { code, errno: opened });
    }
    channel.handle = opened;
    return channel;
  }

  private receive(length: number, answered: number, current: number): void {
    if (!this.closed) this.handler(receiveBuffer, length, answered, current !== 0);
  }

  listen(handler: (bytes: Buffer, length: number, answered: number, current: boolean) => void, onError: (error: Error) => void): void {
    this.handler = handler;
    this.onError = onError;
  }

  send(packet: Uint8Array): void {
    if (this.closed) return;
    const result = this.addon.send(this.handle, packet, 0, packet.length);
    if (result < 0) this.failed(result);
  }

  sendBlocks(ring: BlockRing, first: number, last: number): void {
    if (this.closed) return;
    if (first === last || mechanismOff.mmsg) {
      for (let block = first; block <= last; block++) {
        const result = this.addon.send(this.handle, ring.buffer, ring.offsetOf(block), ring.lengthOf(block));
        if (result < 0) {
          this.failed(result);
          return;
        }
      }
      return;
    }
    if (first === last) {
      const result = this.addon.send(this.handle, ring.buffer, ring.offsetOf(first), ring.lengthOf(first));
      if (result < 0) this.failed(result);
      return;
    }
    for (let start = first; start <= last; start += WINDOW_SLOTS) {
      const count = Math.min(WINDOW_SLOTS, last - start + 1);
      for (let i = 0; i < count; i++) {
        this.offsets[i] = ring.offsetOf(start + i);
        this.lengths[i] = ring.lengthOf(start + i);
      }
      const sent = this.addon.sendPackets(this.handle, ring.buffer, this.offsets, this.lengths, count);
      // A full send buffer or an error drops the rest of the window, as the network could; the
      // transfer's retransmission (RFC 7440 §4) sends it again.
      if (sent < 0) this.failed(sent);
      if (sent < count) return;
    }
  }

  set(i: number, ring: BlockRing, ack: number, first: number, last: number): boolean {
    if (i >= CHAIN) return false;
    const start = this.chainStarts[i]!;
    const count = last - first + 1;
    if (count < 1 || (mechanismOff.mmsg && count > 1) || count > WINDOW_SLOTS || start + count > CHAIN_PACKETS) return false;
    for (let k = 0; k < count; k++) {
      this.chainOffsets[start + k] = ring.offsetOf(first + k);
      this.chainLengths[start + k] = ring.lengthOf(first + k);
    }
    this.chainAcks[i] = ack;
    this.chainStarts[i + 1] = start + count;
    return true;
  }

  commit(ring: BlockRing, entries: number): void {
    if (this.closed) return;
    this.addon.prepareReplies(this.handle, ring.buffer, this.chainAcks, this.chainStarts, this.chainOffsets, this.chainLengths, entries);
  }

  takeAnswered(): number {
    return this.closed ? 0 : this.addon.takeAnswered(this.handle);
  }

  answeredAt(i: number): number {
    return this.answeredTimes[i]! + HRTIME_TO_PERFORMANCE;
  }

  /** Whether the loop is kept awake for a reply now (any transfer's), and this peer's average reply wait. */
  spinState(): SpinState {
    return this.addon.spinState(this.handle);
  }

  private failed(errno: number): void {
    const code = getSystemErrorName(errno);
    this.onError(Object.assign(new Error(`send failed: ${code}`), { code, errno }));
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.addon.close(this.handle);
  }
}
