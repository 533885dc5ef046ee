/**
 * The host's network interfaces as the PXE settings page offers them: name, MAC, link state,
 * carrier, speed and IPv4 addresses. `parseIpAddr` is pure (the JSON of `ip -j addr show`,
 * iproute2); `listHostInterfaces` runs it through the command adapter and reads each link's speed
 * from /sys/class/net/<name>/speed (sysfs-class-net(5); absent or -1 when the driver has none).
 */
import { readFile } from 'node:fs/promises';
import { runCommand, type CommandRunner } from '../striker/core/command/run-command.js';

export interface HostInterface {
  name: string;
  /** The link-layer address; null for links without one (tunnels). */
  mac: string | null;
  /** operstate as the kernel reports it: `UP`, `DOWN`, `UNKNOWN` (loopback, some virtual links), … */
  state: string;
  /** A cable (or a bridge port) is connected: the kernel's LOWER_UP flag. */
  carrier: boolean;
  loopback: boolean;
  /** Mbit/s; null when the driver reports none. */
  speedMbps: number | null;
  /** IPv4 addresses with their prefix length, e.g. `10.201.4.1/16`. */
  ipv4: string[];
}

interface IpLink {
  ifname?: unknown;
  flags?: unknown;
  operstate?: unknown;
  link_type?: unknown;
  address?: unknown;
  addr_info?: { family?: unknown; local?: unknown; prefixlen?: unknown }[];
}

/** `ip -j addr show` → interfaces, in the kernel's order; entries without a name are skipped. */
export function parseIpAddr(json: string): HostInterface[] {
  const links = JSON.parse(json) as unknown;
  if (!Array.isArray(links)) return [];
  const out: HostInterface[] = [];
  for (const link of links as IpLink[]) {
    if (typeof link.ifname !== 'string') continue;
    const flags = Array.isArray(link.flags) ? link.flags.filter((f): f is string => typeof f === 'string') : [];
    const loopback = link.link_type === 'loopback' || flags.includes('LOOPBACK');
    const mac = typeof link.address === 'string' && /^([0-9a-f]{2}:){5}[0-9a-f]{2}$/.test(link.address) && !loopback ? link.address : null;
    out.push({
      name: link.ifname,
      mac,
      state: typeof link.operstate === 'string' ? link.operstate : 'UNKNOWN',
      carrier: flags.includes('LOWER_UP'),
      loopback,
      speedMbps: null,
      ipv4: (link.addr_info ?? [])
        .filter((a) => a.family === 'inet' && typeof a.local === 'string')
        .map((a) => `${String(a.local)}/${typeof a.prefixlen === 'number' ? a.prefixlen : 32}`),
    });
  }
  return out;
}

async function speedOf(name: string): Promise<number | null> {
  try {
    const value = Number((await readFile(`/sys/class/net/${name}/speed`, 'utf8')).trim());
    return Number.isInteger(value) && value > 0 ? value : null;
  } catch {
    return null;
  }
}

export async function listHostInterfaces(run: CommandRunner = runCommand): Promise<HostInterface[]> {
  const { stdout } = await run(['ip', '-j', 'addr', 'show'], { timeoutMs: 5000 });
  const interfaces = parseIpAddr(stdout);
  return Promise.all(interfaces.map(async (i) => ({ ...i, speedMbps: i.loopback ? null : await speedOf(i.name) })));
}
