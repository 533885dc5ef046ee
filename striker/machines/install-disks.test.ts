import { describe, expect, it } from 'vitest';
import { installDisksSchema, parseDiskList } from './install-disks.js';

describe('install disk lists', () => {
  it.each([
    ['sda,sdb', ['sda', 'sdb']],
    ['sda sdb', ['sda', 'sdb']],
    [' nvme0n1, nvme1n1  sda,', ['nvme0n1', 'nvme1n1', 'sda']],
    ['sdb,,sda', ['sdb', 'sda']],
    ['', null],
    [' , ', null],
  ])('reads %j as %j', (text, names) => {
    expect(parseDiskList(text)).toEqual(names);
  });

  it('keeps the order given and refuses each bad entry by its index', () => {
    expect(installDisksSchema.parse(['vdb', 'vda'])).toEqual(['vdb', 'vda']);
    const r = installDisksSchema.safeParse(['sda', 'sd-b', 'sda', 'sdc', 'sdc']);
    expect(r.success).toBe(false);
    expect(r.error!.issues.map((i) => [i.path.join('.'), i.message])).toEqual([
      ['1', 'must be a kernel disk name like sda or nvme0n1'],
      ['2', 'is already in the list'],
      ['4', 'is already in the list'],
    ]);
  });
});
