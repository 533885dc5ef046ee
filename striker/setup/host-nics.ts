/**
 * This machine's physical network interfaces, read from sysfs (`/sys/class/net`, see
 * sysfs-class-net(5)): name, MAC, link state and speed. The wizard offers them so each network
 * (BCN, SN, IFN, MN) is tied to the NICs that really carry it. Virtual interfaces (loopback,
 * bridges, bonds, veths: no `device` link) are left out. The sysfs root is passed in for tests.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { normalizeMac } from '../core/net/mac.js';

export interface HostNic {
  name: string;
  mac: string;
  /** `operstate`: up, down, dormant, unknown… */
  state: string;
  /** Mb/s, or null when the driver does not say (no link, or a virtual NIC). */
  speedMbps: number | null;
}

export async function listHostNics(sysClassNet = '/sys/class/net'): Promise<HostNic[]> {
  const names = await readdir(sysClassNet).catch(() => [] as string[]);
  const nics: HostNic[] = [];
  for (const name of names.sort()) {
    const dir = join(sysClassNet, name);
    const physical = await stat(join(dir, 'device')).then(() => true, () => false);
    if (!physical) continue;
    const read = (file: string) => readFile(join(dir, file), 'utf8').then((s) => s.trim(), () => '');
    const [address, type, state, speed] = await Promise.all([read('address'), read('type'), read('operstate'), read('speed')]);
    // ARPHRD_ETHER (1): Ethernet; others (InfiniBand, CAN…) are not offered.
    const mac = normalizeMac(address);
    if (type !== '1' || mac === undefined) continue;
    const mbps = Number(speed);
    nics.push({ name, mac, state: state || 'unknown', speedMbps: Number.isInteger(mbps) && mbps > 0 ? mbps : null });
  }
  return nics;
}
