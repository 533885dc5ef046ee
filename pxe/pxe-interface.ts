/**
 * PXE starts only on the configured interface, and only when that interface carries the
 * configured address: otherwise Striker refuses to start PXE with a message naming what it
 * found, rather than answering on the wrong network or binding nothing and timing machines out.
 * `interfaceProblems` is pure; `readInterfaceFacts` reads /sys/class/net (sysfs-class-net(5)),
 * `os.networkInterfaces()` and, for interfaces libuv leaves out, `ip -j -4 addr`: libuv lists
 * only interfaces that are up *and running*, so a bridge whose ports are all down (no carrier)
 * would look address-less although DHCP can serve on it as soon as a port comes up.
 */
import { existsSync, readdirSync } from 'node:fs';
import { networkInterfaces } from 'node:os';
import { runCommand, type CommandRunner } from '../striker/core/command/run-command.js';
import { StrikerError } from '../striker/core/errors/index.js';

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

export async function readInterfaceFacts(name: string, run: CommandRunner = runCommand): Promise<InterfaceFacts> {
  const present = existsSync('/sys/class/net') ? readdirSync('/sys/class/net') : Object.keys(networkInterfaces());
  const ipv4: Record<string, string[]> = {};
  for (const [iface, addresses] of Object.entries(networkInterfaces())) {
    ipv4[iface] = (addresses ?? []).filter((a) => a.family === 'IPv4').map((a) => a.cidr ?? a.address);
  }
  if (present.includes(name) && (ipv4[name] ?? []).length === 0 && /^[A-Za-z0-9_.:@-]{1,15}$/.test(name)) {
    try {
      const { stdout } = await run(['ip', '-j', '-4', 'addr', 'show', 'dev', name], { timeoutMs: 5000 });
      const links = JSON.parse(stdout) as { addr_info?: { family?: string; local?: string; prefixlen?: number }[] }[];
      ipv4[name] = links.flatMap((l) => l.addr_info ?? []).filter((a) => a.family === 'inet' && a.local !== undefined).map((a) => `${a.local}/${a.prefixlen ?? 32}`);
    } catch {
      // No iproute2: keep what libuv reported.
    }
  }
  return { present, ipv4 };
}

/** Throws CONFIG_INVALID naming the interface and what it has, when PXE cannot start there. */
export async function checkPxeInterface(name: string, address: string, known?: InterfaceFacts): Promise<void> {
  const facts = known ?? (await readInterfaceFacts(name));
  const problems = interfaceProblems(name, address, facts);
  if (problems.length > 0) throw new StrikerError('CONFIG_INVALID', problems.join('; '), { details: { iface: name, address } });
}
