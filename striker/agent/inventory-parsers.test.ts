import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CommandRunner } from '../core/command/run-command.js';
import { collectInventory } from './inventory-collector.js';
import { describeNics, parseCpuinfo, parseLsblk, parseMeminfo, type NetFacts } from './inventory-parsers.js';
import { inventorySchema } from './inventory-schema.js';

const fixture = (name: string) => readFile(new URL(`../../test/fixtures/agent/${name}`, import.meta.url), 'utf8');

describe('parseLsblk', () => {
  it('reads util-linux 2.38 output (numbers and booleans), leaving out zero-sized devices', async () => {
    expect(parseLsblk(await fixture('lsblk-util-linux-2.38-virtio.json'))).toEqual([
      { name: 'vda', path: '/dev/vda', type: 'disk', sizeBytes: 274877906944, model: null, serial: null, rotational: true, removable: false, children: [] },
    ]);
  });

  it('reads util-linux 2.32 output (strings), with children flattened and only disks kept', async () => {
    expect(parseLsblk(await fixture('lsblk-util-linux-2.32-strings.json'))).toEqual([
      {
        name: 'sda', path: '/dev/sda', type: 'disk', sizeBytes: 480103981056, model: 'SAMSUNG MZ7LH480', serial: 'S45PNA0M123456',
        rotational: false, removable: false, children: ['sda1', 'sda2', 'an_a01n01-root'],
      },
    ]);
  });

  it.each([
    ['not json', 'lsblk output at offset 0: is not JSON'],
    ['{"devices": []}', 'lsblk output at offset 0: has no "blockdevices" list'],
  ])('refuses %s', (text, message) => {
    expect(() => parseLsblk(text)).toThrow(message);
  });
});

describe('parseCpuinfo and parseMeminfo', () => {
  it('counts processors and takes the x86 model name', async () => {
    expect(parseCpuinfo(await fixture('cpuinfo-amd-epyc-vm.txt'))).toEqual({ model: 'AMD EPYC', count: 2 });
  });

  it('takes the ARM Model line when there is no model name', () => {
    expect(parseCpuinfo('processor\t: 0\nBogoMIPS\t: 50.00\nCPU part\t: 0xd0c\n\nprocessor\t: 1\nCPU part\t: 0xd0c\nModel\t: Ampere Altra\n')).toEqual({ model: '0xd0c', count: 2 });
  });

  it('reads MemTotal in bytes, and names the file when it is missing', async () => {
    expect(parseMeminfo(await fixture('meminfo.txt'))).toBe(24683784 * 1024);
    expect(() => parseMeminfo('MemFree: 1 kB\n')).toThrow('/proc/meminfo at offset 0: has no "MemTotal: <n> kB" line');
  });
});

describe('describeNics', () => {
  const nic = (over: Partial<NetFacts> & { name: string }): NetFacts => ({
    address: '52:54:00:aa:bb:cc', operstate: 'up', speed: '1000', hasDevice: true, isBond: false, isBridge: false, master: null, ...over,
  });

  it('tells physical NICs, bonds, bridges and virtual links apart, with membership both ways', () => {
    const nics = describeNics([
      nic({ name: 'lo', address: '00:00:00:00:00:00', hasDevice: false }),
      nic({ name: 'bcn1_link1', master: 'bcn1_bond1' }),
      nic({ name: 'bcn1_link2', master: 'bcn1_bond1', operstate: 'down', speed: '-1', address: '52:54:00:AA:BB:CD' }),
      nic({ name: 'bcn1_bond1', hasDevice: false, isBond: true, master: 'bcn1_bridge1' }),
      nic({ name: 'bcn1_bridge1', hasDevice: false, isBridge: true, speed: null }),
      nic({ name: 'vnet0', hasDevice: false, master: 'bcn1_bridge1', address: null, operstate: null, speed: null }),
    ]);
    expect(nics).toEqual([
      { name: 'bcn1_bond1', mac: '52:54:00:aa:bb:cc', operstate: 'up', speedMbps: 1000, kind: 'bond', master: 'bcn1_bridge1', members: ['bcn1_link1', 'bcn1_link2'] },
      { name: 'bcn1_bridge1', mac: '52:54:00:aa:bb:cc', operstate: 'up', speedMbps: null, kind: 'bridge', master: null, members: ['bcn1_bond1', 'vnet0'] },
      { name: 'bcn1_link1', mac: '52:54:00:aa:bb:cc', operstate: 'up', speedMbps: 1000, kind: 'physical', master: 'bcn1_bond1', members: [] },
      { name: 'bcn1_link2', mac: '52:54:00:aa:bb:cd', operstate: 'down', speedMbps: null, kind: 'physical', master: 'bcn1_bond1', members: [] },
      { name: 'vnet0', mac: null, operstate: 'unknown', speedMbps: null, kind: 'virtual', master: 'bcn1_bridge1', members: [] },
    ]);
  });
});

describe('collectInventory', () => {
  it('reads a /sys and /proc tree and lsblk through the command adapter into a valid inventory', async () => {
    const root = await mkdtemp(join(tmpdir(), 'ag-inv-'));
    try {
      const sys = join(root, 'sys');
      const proc = join(root, 'proc');
      await mkdir(join(sys, 'class/dmi/id'), { recursive: true });
      await writeFile(join(sys, 'class/dmi/id/product_uuid'), '4C4C4544-0034-3510-8052-B4C04F4E4D32\n');
      for (const [name, extra] of [['eth0', 'device'], ['bond0', 'bonding']] as const) {
        await mkdir(join(sys, 'class/net', name, extra), { recursive: true });
        await writeFile(join(sys, 'class/net', name, 'address'), '52:54:00:12:34:56\n');
        await writeFile(join(sys, 'class/net', name, 'operstate'), 'up\n');
        await writeFile(join(sys, 'class/net', name, 'speed'), '10000\n');
      }
      await symlink('../bond0', join(sys, 'class/net/eth0/master'));
      await mkdir(proc);
      await writeFile(join(proc, 'cpuinfo'), await fixture('cpuinfo-amd-epyc-vm.txt'));
      await writeFile(join(proc, 'meminfo'), await fixture('meminfo.txt'));
      const seen: (readonly string[])[] = [];
      const run: CommandRunner = async (argv) => {
        seen.push(argv);
        return { argv, exitCode: 0, stdout: await fixture('lsblk-util-linux-2.32-strings.json'), stderr: '', durationMs: 1 };
      };
      const inv = await collectInventory({ run, sysRoot: sys, procRoot: proc, hostName: () => 'an-a01n01' });
      expect(seen).toEqual([['lsblk', '--json', '--bytes', '--output', 'NAME,PATH,TYPE,SIZE,MODEL,SERIAL,ROTA,RM']]);
      expect(inv.systemUuid).toBe('4c4c4544-0034-3510-8052-b4c04f4e4d32');
      expect(inv.nics.map((n) => [n.name, n.kind, n.master, n.members])).toEqual([['bond0', 'bond', null, ['eth0']], ['eth0', 'physical', 'bond0', []]]);
      expect(inventorySchema.safeParse(inv).success).toBe(true);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
