/**
 * Loading the TFTP addon in native/ (transfer-socket.c), built with node-gyp by
 * scripts/build-native.mjs. Everything it does has a pure-Node fallback: without it the server
 * uses node:dgram sockets (`peer-channel.ts`).
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** An opaque handle from `open`. */
export type Handle = object;

export interface TransferSocketAddon {
  /** Bumped whenever the functions below change: a stale build is not used. */
  readonly version: number;
  open(
    localAddress: string,
    localPort: number,
    peerAddress: string,
    peerPort: number,
    receiveBuffer: Uint8Array,
    onDatagram: (length: number) => void,
  ): Handle | number;
  send(handle: Handle, bytes: Uint8Array, offset: number, length: number): number;
  close(handle: Handle): void;
}

const ADDON_VERSION = 8;

const here = dirname(fileURLToPath(import.meta.url));
/** Next to the source, or (when running from dist/) next to the source tree. */
const candidates = [join(here, 'native/build/Release/transfer_socket.node'), join(here, '../../../pxe/tftp/native/build/Release/transfer_socket.node')];

let addon: TransferSocketAddon | null | undefined;

/** The addon, or null when it is not built (or is a stale build). */
export function loadTransferAddon(): TransferSocketAddon | null {
  if (addon !== undefined) return addon;
  const path = candidates.find((p) => existsSync(p));
  const loaded = path === undefined ? null : (createRequire(import.meta.url)(path) as TransferSocketAddon);
  // A build of an older native/transfer-socket.c (build-native skips built addons) is not used.
  addon = loaded !== null && loaded.version === ADDON_VERSION ? loaded : null;
  return addon;
}

/** Whether transfers can use native channels (the addon is built). */
export function nativeChannelsAvailable(): boolean {
  return loadTransferAddon() !== null;
}
