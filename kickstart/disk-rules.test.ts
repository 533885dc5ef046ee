import { describe, expect, it } from 'vitest';
import { diskRulesByRole, eligibleDisks, layoutFor, planDisks, requiredMiB, type DetectedDisk } from './disk-rules.js';
import { renderPartInclude } from './part-include.js';
import { lintKickstart } from './lint.js';

const GiB = 1024;
const disk = (name: string, sizeGiB: number, removable = false): DetectedDisk => ({ name, sizeMiB: sizeGiB * GiB, removable });
const node = diskRulesByRole.node;

describe('disk rules', () => {
  it.each([
    [1, 'none'],
    [2, 'raid1'],
    [3, 'raid1'],
    [4, 'raid10'],
    [5, 'raid6'],
    [12, 'raid6'],
  ] as const)('%i disk(s) → %s', (count, level) => {
    expect(layoutFor(count, node)).toBe(level);
  });

  it('ignores loop, ram, optical, zram, device-mapper and md devices, removable and tiny disks', () => {
    const disks = [disk('loop0', 100), disk('ram0', 100), disk('sr0', 100), disk('zram0', 100), disk('dm-0', 100), disk('md127', 100),
      disk('sdz', 100, true), disk('sdy', 4), disk('sda', 100), disk('nvme0n1', 100), { ...disk('nvme0c0n1', 100), hidden: true }];
    expect(eligibleDisks(disks, node).map((d) => d.name)).toEqual(['sda', 'nvme0n1']);
  });

  it('computes usable space from the smallest member', () => {
    const plan = planDisks([disk('sda', 500), disk('sdb', 300), disk('sdc', 400), disk('sdd', 600)], 'efi', node);
    expect(plan).toMatchObject({ kind: 'layout', level: 'raid10', usableMiB: 600 * GiB });
    const six = planDisks(['a', 'b', 'c', 'd', 'e', 'f'].map((n) => disk(`sd${n}`, 200)), 'bios', node);
    expect(six).toMatchObject({ kind: 'layout', level: 'raid6', usableMiB: 800 * GiB });
  });

  it('refuses a layout smaller than root + swap + boot', () => {
    const need = requiredMiB(node, 'efi');
    expect(need).toBe(80 * GiB + 8 * GiB + 1024 + 600 + 16);
    const plan = planDisks([disk('sda', 50)], 'efi', node);
    expect(plan).toEqual({ kind: 'error', message: `none over 1 disk(s) gives ${50 * GiB} MiB, need at least ${need} MiB` });
    expect(planDisks([disk('sda', 1000, true)], 'efi', node)).toEqual({ kind: 'error', message: 'no usable disk of at least 8192 MiB found' });
  });

  it('renders a plain layout, root fixed for a node and growing for a Striker', () => {
    const plan = planDisks([disk('sda', 500)], 'bios', node);
    const text = renderPartInclude(plan);
    expect(text).toContain('part biosboot --fstype=biosboot --size=1 --ondisk=sda\n');
    expect(text).toContain('logvol / --vgname=node_vg --name=root --fstype=xfs --size=81920\n');
    const striker = renderPartInclude(planDisks([disk('sda', 500)], 'efi', diskRulesByRole.striker));
    expect(striker).toContain('part /boot/efi --fstype=efi --size=600 --ondisk=sda\n');
    expect(striker).toContain('--size=40960 --grow\n');
  });

  it('renders RAID layouts with /boot and the ESP mirrored on every disk, and they lint clean', () => {
    for (const count of [2, 3, 4, 5, 8]) {
      for (const fw of ['bios', 'efi'] as const) {
        const disks = Array.from({ length: count }, (_, i) => disk(`sd${String.fromCharCode(97 + i)}`, 500));
        const text = renderPartInclude(planDisks(disks, fw, node));
        const members = disks.map((_, i) => `raid.boot${i}`).join(' ');
        expect(text).toContain(`raid /boot --level=RAID1 --device=boot --fstype=xfs ${members}\n`);
        expect(text.includes('raid /boot/efi --level=RAID1')).toBe(fw === 'efi');
        const result = lintKickstart(text, { fragment: true });
        expect(result.problems).toEqual([]);
      }
    }
  });
});
