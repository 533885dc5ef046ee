/**
 * Answering on the configured interface only. Node's dgram has neither SO_BINDTODEVICE nor
 * IP_PKTINFO, so a socket bound to 0.0.0.0:67 hears broadcasts from every interface and cannot
 * tell which one. Striker binds one socket per interface to 0.0.0.0:port (SO_REUSEADDR) and sets
 * SO_BINDTODEVICE on its fd through a ten-line native addon (native/bind-to-device.c, built
 * with node-gyp). The kernel then delivers only that interface's packets to the socket, and
 * sends its replies, including those to 255.255.255.255, out of that interface with no
 * broadcast route needed: the way ISC dhcpd and dnsmasq (--bind-interfaces) behave.
 */
import type { Socket } from 'node:dgram';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { StrikerError } from '../../striker/core/errors/index.js';

interface NativeBinding {
  bindToDevice(fd: number, ifname: string): void;
}

const here = dirname(fileURLToPath(import.meta.url));
/** Next to the source, or (when running from dist/) next to the source tree. */
const candidates = [
  join(here, 'native/build/Release/bind_to_device.node'),
  join(here, '../../../pxe/dhcp/native/build/Release/bind_to_device.node'),
];

export const NATIVE_ADDON_DIR = join(here, 'native');

let loaded: NativeBinding | undefined;

function loadBinding(): NativeBinding {
  if (loaded !== undefined) return loaded;
  const path = candidates.find((p) => existsSync(p));
  if (path === undefined) {
    throw new StrikerError('CONFIG_INVALID', `dhcp.interfaceBinding is 'device' but the native addon is not built; run: npx node-gyp rebuild -C pxe/dhcp/native`, {
      details: { tried: candidates },
    });
  }
  loaded = createRequire(import.meta.url)(path) as NativeBinding;
  return loaded;
}

export function nativeAddonAvailable(): boolean {
  return candidates.some((p) => existsSync(p));
}

/** Restricts a bound dgram socket to `ifname` (SO_BINDTODEVICE, socket(7)). */
export function bindSocketToDevice(socket: Socket, ifname: string): void {
  const fd = socketFd(socket);
  if (typeof fd !== 'number' || fd < 0) throw new StrikerError('INTERNAL', `no file descriptor on the DHCP socket for ${ifname}`);
  try {
    loadBinding().bindToDevice(fd, ifname);
  } catch (error) {
    if (error instanceof StrikerError) throw error;
    throw new StrikerError('CONFIG_INVALID', `cannot bind the DHCP socket to interface ${ifname}: ${(error as Error).message}`, { cause: error, details: { iface: ifname } });
  }
}

/**
 * The UDP handle's file descriptor (libuv uv_fileno). dgram keeps the handle in its internal
 * state object (symbol "state symbol"); reading it there avoids the DEP0112 warning that the
 * public-looking `_handle` getter prints.
 */
function socketFd(socket: Socket): number | undefined {
  for (const symbol of Object.getOwnPropertySymbols(socket)) {
    if (symbol.description !== 'state symbol') continue;
    const state = (socket as unknown as Record<symbol, { handle?: { fd?: number } } | undefined>)[symbol];
    if (typeof state?.handle?.fd === 'number') return state.handle.fd;
  }
  return (socket as unknown as { _handle?: { fd?: number } })._handle?.fd;
}
