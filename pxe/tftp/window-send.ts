/**
 * Sending DATA blocks first..last (a window, RFC 7440 §4, or one block) from a transfer's
 * `BlockRing` on its connected socket. With the native addon (native/send-packets.c, built with
 * node-gyp) the whole window is one sendmmsg(2); without it, or whenever the addon could not
 * send everything (EAGAIN, an error, dgram already holding queued datagrams), the rest goes
 * through dgram one datagram at a time, which queues and reports errors as usual. Order is kept:
 * the addon is only used while dgram's send queue is empty.
 */
import type { Socket } from 'node:dgram';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BlockRing } from './block-ring.js';

interface NativeSender {
  sendPackets(fd: number, buffer: Uint8Array, offsets: Uint32Array, lengths: Uint32Array, count: number): number;
}

const here = dirname(fileURLToPath(import.meta.url));
/** Next to the source, or (when running from dist/) next to the source tree. */
const candidates = [join(here, 'native/build/Release/send_packets.node'), join(here, '../../../pxe/tftp/native/build/Release/send_packets.node')];

let native: NativeSender | null | undefined;

function loadNative(): NativeSender | null {
  if (native !== undefined) return native;
  const path = candidates.find((p) => existsSync(p));
  native = path === undefined ? null : (createRequire(import.meta.url)(path) as NativeSender);
  return native;
}

/** Whether windows go out with one sendmmsg(2) (the addon is built). */
export function batchedSendAvailable(): boolean {
  return loadNative() !== null;
}

export class WindowSender {
  private readonly native = loadNative();
  private readonly fd: number;
  private readonly offsets: Uint32Array;
  private readonly lengths: Uint32Array;

  constructor(
    private readonly socket: Socket,
    private readonly ring: BlockRing,
    windowsize: number,
    options: { readonly batched?: boolean } = {},
  ) {
    this.fd = this.native === null || options.batched === false ? -1 : socketFd(socket);
    const slots = this.fd < 0 ? 0 : windowsize;
    this.offsets = new Uint32Array(slots);
    this.lengths = new Uint32Array(slots);
  }

  /** Send loaded blocks first..last (at most windowsize of them) to the connected peer. */
  send(first: number, last: number): void {
    const { ring, socket } = this;
    let next = first;
    const count = last - first + 1;
    if (this.native !== null && count <= this.offsets.length && socket.getSendQueueCount() === 0) {
      for (let i = 0; i < count; i++) {
        this.offsets[i] = ring.offsetOf(first + i);
        this.lengths[i] = ring.lengthOf(first + i);
      }
      const sent = this.native.sendPackets(this.fd, ring.buffer, this.offsets, this.lengths, count);
      if (sent > 0) next += sent;
    }
    for (let block = next; block <= last; block++) socket.send(ring.packet(block));
  }
}

/**
 * The UDP handle's file descriptor (libuv uv_fileno), from dgram's internal state object (symbol
 * "state symbol"), as `pxe/dhcp/interface-binding.ts` does; -1 when it cannot be found.
 */
function socketFd(socket: Socket): number {
  for (const symbol of Object.getOwnPropertySymbols(socket)) {
    if (symbol.description !== 'state symbol') continue;
    const state = (socket as unknown as Record<symbol, { handle?: { fd?: number } } | undefined>)[symbol];
    if (typeof state?.handle?.fd === 'number') return state.handle.fd;
  }
  return -1;
}
