/**
 * PXE starts only on the configured interface, and only when that interface carries the
 * configured address: otherwise Striker refuses to start PXE with a message naming what it
 * found, rather than answering on the wrong network or binding nothing and timing machines out.
 * `interfaceProblems` is pure; `checkPxeInterface` reads /sys/class/net (sysfs-class-net(5))
 * and `os.networkInterfaces()`.
 */
import { existsSync, readdirSync } from 'node:fs';
import { networkInterfaces } from 'node:os';
import { StrikerError } from '../../striker/errors/index.js';

export interface InterfaceFacts {
  /** Interface names under /sys/class/net. */
  present: readonly string[];
  /** IPv4 addresses (with prefix length) of each interface that has any. */
  ipv4: Readonly<Record<string, readonly string[]>>;
}

export function interfaceProblems(name: string, address: string, facts: InterfaceFacts): string[] {
  if (!/^[A-Za-z0-9_.:@-]{1,15}$/.test(name)) return [`pxe.interface '${name}' is not a valid interface name`];
  if (!facts.present.includes(name)) {
    return [`pxe.interface ${name} does not exist on this machine (interfaces: ${[...facts.present].sort().join(', ') || 'none'})`];
  }
  const have = facts.ipv4[name] ?? [];
  if (!have.some((a) => a.split('/')[0] === address)) {
    return [`pxe.address ${address} is not configured on ${name} (it has: ${have.length > 0 ? have.join(', ') : 'no IPv4 address'})`];
  }
  return [];
}

export function readInterfaceFacts(): InterfaceFacts {
  const present = existsSync('/sys/class/net') ? readdirSync('/sys/class/net') : Object.keys(networkInterfaces());
  const ipv4: Record<string, string[]> = {};
  for (const [name, addresses] of Object.entries(networkInterfaces())) {
    ipv4[name] = (addresses ?? []).filter((a) => a.family === 'IPv4').map((a) => a.cidr ?? a.address);
  }
  return { present, ipv4 };
}

/** Throws CONFIG_INVALID naming the interface and what it has, when PXE cannot start there. */
export function checkPxeInterface(name: string, address: string, facts: InterfaceFacts = readInterfaceFacts()): void {
  const problems = interfaceProblems(name, address, facts);
  if (problems.length > 0) throw new StrikerError('CONFIG_INVALID', problems.join('; '), { details: { iface: name, address } });
}
