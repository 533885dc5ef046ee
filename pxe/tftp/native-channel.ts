/**
 * The native `PeerChannel` (see `peer-channel.ts`): a transfer socket owned by the addon in
 * native/transfer-socket.c (built with node-gyp by scripts/build-native.mjs). Receiving costs
 * one recv(2) into a shared buffer and one call into JS with the length; a stop-and-wait DATA
 * block is one send(2), a window (RFC 7440) one sendmmsg(2). When the addon is not built,
 * `nativeChannelsAvailable()` is false and the server uses dgram.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { getSystemErrorName } from 'node:util';
import type { BlockRing } from './block-ring.js';
import type { Peer } from './file-source.js';
import type { PeerChannel } from './peer-channel.js';

/** An opaque handle from `open`. */
type Handle = object;

interface TransferSocketAddon {
  open(localAddress: string, localPort: number, peerAddress: string, peerPort: number, receiveBuffer: Uint8Array, onDatagram: (length: number, replied: number) => void): Handle | number;
  send(handle: Handle, bytes: Uint8Array, offset: number, length: number): number;
  sendPackets(handle: Handle, bytes: Uint8Array, offsets: Uint32Array, lengths: Uint32Array, count: number): number;
  prepareReply(handle: Handle, bytes: Uint8Array, ack: number, offsets: Uint32Array, lengths: Uint32Array, count: number): void;
  close(handle: Handle): void;
}

const here = dirname(fileURLToPath(import.meta.url));
/** Next to the source, or (when running from dist/) next to the source tree. */
const candidates = [join(here, 'native/build/Release/transfer_socket.node'), join(here, '../../../pxe/tftp/native/build/Release/transfer_socket.node')];

let addon: TransferSocketAddon | null | undefined;

function loadAddon(): TransferSocketAddon | null {
  if (addon !== undefined) return addon;
  const path = candidates.find((p) => existsSync(p));
  addon = path === undefined ? null : (createRequire(import.meta.url)(path) as TransferSocketAddon);
  return addon;
}

/** Whether transfers can use native channels (the addon is built). */
export function nativeChannelsAvailable(): boolean {
  return loadAddon() !== null;
}

/**
 * Every native channel receives into this one buffer: the addon calls JS once per datagram, on
 * the main thread, and the handler is done with it before the next recv(2). 64 KiB holds any
 * UDP datagram, so nothing a client sends is truncated.
 */
const receiveBuffer = Buffer.alloc(65536);

/** Most DATA packets one sendmmsg(2) takes from JS (RFC 7440 windows are at most 64 here). */
const WINDOW_SLOTS = 64;

export class NativeChannel implements PeerChannel {
  readonly kind = 'native';
  private readonly offsets = new Uint32Array(WINDOW_SLOTS);
  private readonly lengths = new Uint32Array(WINDOW_SLOTS);
  private handler: (bytes: Buffer, length: number, replied: boolean) => void = () => undefined;
  private prepared = false;
  private onError: (error: Error) => void = () => undefined;
  private closed = false;

  private constructor(
    private readonly addon: TransferSocketAddon,
    private readonly handle: Handle,
  ) {}

  /**
   * A socket on `host:port` (SO_REUSEADDR: the strays socket shares the port) connected to
   * `peer`. Throws a system error (`code` EADDRINUSE and the like) when it cannot be bound.
   */
  static open(host: string, port: number, peer: Peer): NativeChannel {
    const native = loadAddon();
    if (native === null) throw new Error('the TFTP transfer socket addon (pxe/tftp/native) is not built');
    let channel: NativeChannel | null = null;
    const opened = native.open(host, port, peer.address, peer.port, receiveBuffer, (length, replied) => channel?.receive(length, replied));
    if (typeof opened === 'number') {
      const code = getSystemErrorName(opened);
      throw Object.assign(new Error(`${code}: cannot open a TFTP transfer socket on ${host}:${port} for ${peer.address}:${peer.port}`), { code, errno: opened });
    }
    channel = new NativeChannel(native, opened);
    return channel;
  }

  private receive(length: number, replied: number): void {
    if (replied !== 0) this.prepared = false;
    if (!this.closed) this.handler(receiveBuffer, length, replied !== 0);
  }

  listen(handler: (bytes: Buffer, length: number, replied: boolean) => void, onError: (error: Error) => void): void {
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

  prepareReply(ring: BlockRing, ack: number, first: number, last: number): boolean {
    const count = last - first + 1;
    if (this.closed || count < 1 || count > WINDOW_SLOTS) return false;
    for (let i = 0; i < count; i++) {
      this.offsets[i] = ring.offsetOf(first + i);
      this.lengths[i] = ring.lengthOf(first + i);
    }
    this.addon.prepareReply(this.handle, ring.buffer, ack, this.offsets, this.lengths, count);
    this.prepared = true;
    return true;
  }

  cancelReply(): void {
    if (!this.prepared || this.closed) return;
    this.prepared = false;
    this.addon.prepareReply(this.handle, receiveBuffer, 0, this.offsets, this.lengths, 0);
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
