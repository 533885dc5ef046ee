/**
 * The raw ICMPv6 socket on one interface (native/icmp6-socket.c, built by
 * scripts/build-native.mjs): router solicitations and advertisements in, advertisements and
 * solicitations out, hop limit 255, checksum by the kernel. Needs CAP_NET_RAW.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { StrikerError } from '../../striker/core/errors/index.js';

/** What the router advertiser needs of a socket; tests pass their own. */
export interface Icmp6Transport {
  send(message: Buffer, destination: string): void;
  close(): void;
}

/** A received ICMPv6 message: the body, the IPv6 source address, the IPv6 hop limit (-1: unknown). */
export type Icmp6Receiver = (message: Buffer, from: string, hopLimit: number) => void;

export type Icmp6TransportFactory = (ifname: string, receive: Icmp6Receiver) => Icmp6Transport;

interface NativeBinding {
  open(ifname: string, callback: Icmp6Receiver): unknown;
  send(handle: unknown, message: Buffer, destination: string): void;
  close(handle: unknown): void;
}

const here = dirname(fileURLToPath(import.meta.url));
/** Next to the source, or (when running from dist/) next to the source tree. */
const candidates = [join(here, 'native/build/Release/icmp6_socket.node'), join(here, '../../../pxe/ipv6/native/build/Release/icmp6_socket.node')];

let loaded: NativeBinding | undefined;

function loadBinding(): NativeBinding {
  if (loaded !== undefined) return loaded;
  const path = candidates.find((p) => existsSync(p));
  if (path === undefined) throw new StrikerError('CONFIG_INVALID', 'the ICMPv6 socket addon is not built; run: node scripts/build-native.mjs', { details: { tried: candidates } });
  loaded = createRequire(import.meta.url)(path) as NativeBinding;
  return loaded;
}

/** Opens the raw ICMPv6 socket on `ifname`; throws StrikerError with the system's reason. */
export const openIcmp6Socket: Icmp6TransportFactory = (ifname, receive) => {
  const binding = loadBinding();
  let handle: unknown;
  try {
    handle = binding.open(ifname, receive);
  } catch (error) {
    throw new StrikerError('INTERNAL', `cannot open a raw ICMPv6 socket on ${ifname}: ${(error as Error).message}`, { cause: error, details: { iface: ifname } });
  }
  let closed = false;
  return {
    send: (message, destination) => binding.send(handle, message, destination),
    close: () => {
      if (closed) return;
      closed = true;
      binding.close(handle);
    },
  };
};
