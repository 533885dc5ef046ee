/**
 * The native `PeerChannel` (see `peer-channel.ts`): a transfer socket owned by the addon in
 * native/transfer-socket.c. Receiving costs one recv(2) into a shared buffer and one call into
 * JS; each DATA block is one send(2) from the transfer's `BlockRing`. When the addon is not
 * built, `nativeChannelsAvailable()` (native-addon.ts) is false and the server uses dgram.
 */
import { getSystemErrorName } from 'node:util';
import type { BlockRing } from './block-ring.js';
import type { Peer } from './file-source.js';
import { loadTransferAddon, type Handle, type TransferSocketAddon } from './native-addon.js';
import type { PeerChannel } from './peer-channel.js';

/**
 * Every native channel receives into this one buffer: the addon calls JS once per datagram, on
 * the main thread, and the handler is done with it before the next recv(2). 64 KiB holds any
 * UDP datagram, so nothing a client sends is truncated.
 */
const receiveBuffer = Buffer.alloc(65536);

export class NativeChannel implements PeerChannel {
  readonly kind = 'native';
  private handler: (bytes: Buffer, length: number) => void = () => undefined;
  private onError: (error: Error) => void = () => undefined;
  private closed = false;

  /** The addon's handle, set by `open`. */
  private handle: Handle = {};

  private constructor(private readonly addon: TransferSocketAddon) {}

  /**
   * A socket on `host:port` (SO_REUSEADDR: the strays socket shares the port) connected to
   * `peer`. Throws a system error (`code` EADDRINUSE and the like) when it cannot be bound.
   */
  static open(host: string, port: number, peer: Peer): NativeChannel {
    const native = loadTransferAddon();
    if (native === null) throw new Error('the TFTP transfer socket addon (pxe/tftp/native) is not built');
    const channel = new NativeChannel(native);
    const opened = native.open(host, port, peer.address, peer.port, receiveBuffer, (length) => channel.receive(length));
    if (typeof opened === 'number') {
      const code = getSystemErrorName(opened);
      throw Object.assign(new Error(`${code}: cannot open a TFTP transfer socket on ${host}:${port} for ${peer.address}:${peer.port}`), { code, errno: opened });
    }
    channel.handle = opened;
    return channel;
  }

  private receive(length: number): void {
    if (!this.closed) this.handler(receiveBuffer, length);
  }

  listen(handler: (bytes: Buffer, length: number) => void, onError: (error: Error) => void): void {
    this.handler = handler;
    this.onError = onError;
  }

  send(packet: Uint8Array): void {
    this.sendBytes(packet, 0, packet.length);
  }

  sendBlocks(ring: BlockRing, first: number, last: number): void {
    // A full send buffer or an error drops the rest of the window, as the network could; the
    // transfer's retransmission (RFC 7440 §4) sends it again.
    for (let block = first; block <= last; block++) if (!this.sendBytes(ring.buffer, ring.offsetOf(block), ring.lengthOf(block))) return;
  }

  private sendBytes(bytes: Uint8Array, offset: number, length: number): boolean {
    if (this.closed) return false;
    const result = this.addon.send(this.handle, bytes, offset, length);
    if (result >= 0) return true;
    const code = getSystemErrorName(result);
    this.onError(Object.assign(new Error(`send failed: ${code}`), { code, errno: result }));
    return false;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.addon.close(this.handle);
  }
}
