/**
 * Collects the host's inventory: the DMI system UUID (/sys/class/dmi/id/product_uuid), host name,
 * CPU and memory (/proc), disks (`lsblk --json --bytes` through the command adapter) and network
 * interfaces (/sys/class/net). The roots are parameters so tests read a prepared tree.
 */
import { readdir, readFile, readlink, stat } from 'node:fs/promises';
import { hostname } from 'node:os';
import { basename, join } from 'node:path';
import type { CommandRunner } from '../core/command/run-command.js';
import type { Inventory } from './inventory-schema.js';
import { describeNics, lsblkColumns, parseCpuinfo, parseLsblk, parseMeminfo, type NetFacts } from './inventory-parsers.js';

export interface InventorySources {
  run: CommandRunner;
  /** Default /sys. */
  sysRoot?: string;
  /** Default /proc. */
  procRoot?: string;
  /** Default os.hostname(). */
  hostName?: () => string;
}

export async function collectInventory(sources: InventorySources): Promise<Inventory> {
  const sys = sources.sysRoot ?? '/sys';
  const proc = sources.procRoot ?? '/proc';
  const [uuid, cpuinfo, meminfo, lsblk, nics] = await Promise.all([
    readText(join(sys, 'class/dmi/id/product_uuid')),
    readFile(join(proc, 'cpuinfo'), 'utf8'),
    readFile(join(proc, 'meminfo'), 'utf8'),
    sources.run(['lsblk', '--json', '--bytes', '--output', lsblkColumns], { timeoutMs: 15_000 }),
    readNetFacts(join(sys, 'class/net')),
  ]);
  return {
    systemUuid: uuid === null || uuid === '' ? null : uuid.toLowerCase().slice(0, 64),
    hostName: (sources.hostName ?? hostname)().slice(0, 255),
    cpu: parseCpuinfo(cpuinfo),
    memoryBytes: parseMeminfo(meminfo),
    disks: parseLsblk(lsblk.stdout),
    nics: describeNics(nics),
  };
}

async function readText(path: string): Promise<string | null> {
  try {
    return (await readFile(path, 'utf8')).trim();
  } catch {
    return null; // absent (no DMI in a container or on ARM) or unreadable (speed of a down link)
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

async function readNetFacts(dir: string): Promise<NetFacts[]> {
  const names = await readdir(dir);
  return Promise.all(
    names.map(async (name): Promise<NetFacts> => {
      const base = join(dir, name);
      const master = await readlink(join(base, 'master')).then((t) => basename(t), () => null);
      return {
        name,
        address: await readText(join(base, 'address')),
        operstate: await readText(join(base, 'operstate')),
        speed: await readText(join(base, 'speed')),
        hasDevice: await exists(join(base, 'device')),
        isBond: await exists(join(base, 'bonding')),
        isBridge: await exists(join(base, 'bridge')),
        master,
      };
    }),
  );
}
