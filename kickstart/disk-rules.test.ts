import { describe, expect, it } from 'vitest';
import { ValidationError } from '../striker/core/errors/index.js';
import { diskRulesByRole, eligibleDisks, layoutFor, neededMiB, perDiskMiB, planDisks, remoteTransportOf, unusableReason, type DetectedDisk } from './disk-rules.js';
import { roles } from './kickstart-input.js';
import { lintKickstart } from './lint.js';
import { renderPartInclude } from './part-include.js';

const GiB = 1024;
const disk = (name: string, sizeGiB: number, extra: Partial<DetectedDisk> = {}): DetectedDisk => ({ name, sizeMiB: sizeGiB * GiB, removable: false, ...extra });
const node = diskRulesByRole.node;
const sata = (name: string): string => `/devices/pci0000:00/0000:00:1f.2/ata1/host0/target0:0:0/0:0:0:0/block/${name}`;

/** Options pykickstart's raid parser knows (pykickstart/commands/raid.py, FC3_Raid … F29_Raid). */
const raidOptions = new Set(['--device', '--fstype', '--level', '--noformat', '--spares', '--useexisting', '--fsoptions', '--fsprofile', '--encrypted',
  '--passphrase', '--escrowcert', '--backuppassphrase', '--cipher', '--label', '--mkfsoptions', '--chunksize', '--luks-version', '--pbkdf',
  '--pbkdf-memory', '--pbkdf-time', '--pbkdf-iterations']);

/** What pykickstart warns about as duplicates: a part mount point other than swap, a raid --device. */
function pykickstartDuplicates(text: string): string[] {
  const seen = new Set<string>();
  const dups: string[] = [];
  for (const line of text.split('\n')) {
    const [cmd, first, ...rest] = line.split(' ');
    const key = cmd === 'part' && first !== 'swap' ? `part ${first}` : cmd === 'raid' ? `raid ${rest.find((w) => w.startsWith('--device='))}` : undefined;
    if (key === undefined) continue;
    if (seen.has(key)) dups.push(key);
    seen.add(key);
  }
  return dups;
}

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

  it('tells a remote disk by the components of its sysfs path', () => {
    expect(remoteTransportOf(sata('sda'))).toBeUndefined();
    expect(remoteTransportOf('/devices/pci0000:00/0000:00:14.0/usb2/2-1/2-1:1.0/host6/target6:0:0/6:0:0:0/block/sdc')).toBe('usb');
    expect(remoteTransportOf('/devices/platform/host7/session1/target7:0:0/7:0:0:1/block/sdd')).toBe('iscsi');
    expect(remoteTransportOf('/devices/pci0000:00/0000:3b:00.0/host8/rport-8:0-2/target8:0:0/8:0:0:0/block/sde')).toBe('fc');
    expect(remoteTransportOf('/devices/virtual/nvme-fabrics/ctl/nvme4/nvme4n1')).toBe('nvme-fabrics');
    // A SAS expander port is local; only rport- is a Fibre Channel remote port.
    expect(remoteTransportOf('/devices/pci0000:00/0000:02:00.0/host1/port-1:0/end_device-1:0/target1:0:0/1:0:0:0/block/sdf')).toBeUndefined();
    // usb needs a digit after it, as the shell pattern */usb[0-9]*/* does.
    expect(remoteTransportOf('/devices/platform/usbmisc/block/sdg')).toBeUndefined();
  });

  it('takes only local disks: not removable, hidden, USB, iSCSI, FC, NVMe-oF, multipath paths, tiny or device-mapper', () => {
    const disks = [
      disk('loop0', 100), disk('ram0', 100), disk('sr0', 100), disk('zram0', 100), disk('dm-0', 100), disk('md127', 100),
      disk('sdz', 100, { removable: true }), disk('sdy', 4), { ...disk('nvme0c0n1', 100), hidden: true },
      disk('sdx', 100, { sysPath: '/devices/pci0000:00/0000:00:14.0/usb2/2-1/2-1:1.0/host6/target6:0:0/6:0:0:0/block/sdx' }),
      disk('sdw', 100, { sysPath: '/devices/platform/host7/session1/target7:0:0/7:0:0:1/block/sdw' }),
      disk('nvme5n1', 100, { sysPath: '/devices/virtual/nvme-subsystem/nvme-subsys5/nvme5n1', controllerTransports: ['tcp'] }),
      disk('sdv', 100, { sysPath: sata('sdv'), multipathMember: true }),
      disk('sdb', 100, { sysPath: sata('sdb') }), disk('sda', 100, { sysPath: sata('sda') }),
      disk('nvme0n1', 100, { sysPath: '/devices/virtual/nvme-subsystem/nvme-subsys0/nvme0n1', controllerTransports: ['pcie'] }),
    ];
    expect(eligibleDisks(disks, node).map((d) => d.name)).toEqual(['nvme0n1', 'sda', 'sdb']);
    expect(Object.fromEntries(disks.map((d) => [d.name, unusableReason(d, node) ?? 'ok']))).toMatchObject({
      sdz: 'removable', sdy: 'small', nvme0c0n1: 'hidden', sdx: 'usb', sdw: 'iscsi', nvme5n1: 'nvme-fabrics', sdv: 'multipath', 'dm-0': 'not a disk',
    });
  });

  it('counts /boot, the ESP or biosboot and metadata on every disk before RAID capacity', () => {
    expect(perDiskMiB(node, 'efi')).toBe(1024 + 600 + 64);
    expect(perDiskMiB(node, 'bios')).toBe(1024 + 1 + 64);
    const plan = planDisks([disk('sda', 500), disk('sdb', 300), disk('sdc', 400), disk('sdd', 600)], 'efi', node);
    expect(plan).toMatchObject({ kind: 'layout', level: 'raid10', usableMiB: (300 * GiB - 1688) * 2 });
    const six = planDisks(['a', 'b', 'c', 'd', 'e', 'f'].map((n) => disk(`sd${n}`, 200)), 'bios', node);
    expect(six).toMatchObject({ kind: 'layout', level: 'raid6', usableMiB: (200 * GiB - 1089) * 4 });
  });

  it('refuses RAID6 over five 16.5 GiB disks for a Striker: root and swap no longer fit once /boot and the ESP are counted', () => {
    const five = ['a', 'b', 'c', 'd', 'e'].map((n) => disk(`sd${n}`, 16.5));
    const striker = diskRulesByRole.striker;
    expect(neededMiB(striker)).toBe(40 * GiB + 8 * GiB + 16);
    expect(planDisks(five, 'bios', striker)).toEqual({
      kind: 'error',
      message: 'raid6 over 5 disk(s) leaves 47421 MiB for root and swap, need at least 49168 MiB (each disk keeps 1089 MiB for /boot, biosboot and metadata)',
    });
    expect(planDisks(five, 'efi', striker)).toEqual({
      kind: 'error',
      message: 'raid6 over 5 disk(s) leaves 45624 MiB for root and swap, need at least 49168 MiB (each disk keeps 1688 MiB for /boot, the ESP and metadata)',
    });
    expect(planDisks([...five, disk('sdf', 16.5)], 'efi', striker)).toMatchObject({ kind: 'layout', usableMiB: 60832 });
  });

  it('reports no usable disk when only remote or removable ones are left', () => {
    expect(planDisks([disk('sda', 1000, { removable: true })], 'efi', node)).toEqual({ kind: 'error', message: 'no usable local disk of at least 8192 MiB found' });
  });

  it('honours an explicit disk list: exactly those disks, in that order, even remote ones', () => {
    const disks = [disk('sda', 500, { sysPath: sata('sda') }), disk('sdb', 500, { sysPath: sata('sdb') }),
      disk('sdc', 500, { sysPath: '/devices/platform/host7/session1/target7:0:0/7:0:0:1/block/sdc' }), disk('sdd', 4)];
    expect(planDisks(disks, 'bios', node, ['sdc', 'sda'])).toMatchObject({ kind: 'layout', level: 'raid1', disks: ['sdc', 'sda'] });
    expect(planDisks(disks, 'bios', node, ['sda', 'sdq'])).toEqual({ kind: 'error', message: 'disk sdq named in the disk list was not found' });
    expect(planDisks(disks, 'bios', node, ['sdd'])).toEqual({ kind: 'error', message: 'disk sdd named in the disk list has 4096 MiB, less than 8192 MiB' });
    expect(() => planDisks(disks, 'bios', node, ['sda', '../x', 'sda'])).toThrow(ValidationError);
    try {
      planDisks(disks, 'bios', node, ['sda', '../x', 'sda']);
    } catch (e) {
      expect((e as ValidationError).problems).toEqual([
        { path: 'disks.1', message: "must be a kernel disk name like sda or nvme0n1 — got '../x'" },
        { path: 'disks.2', message: "is already in the list — got 'sda'" },
      ]);
    }
    // The machines area's rule: at most 8 disks.
    expect(() => planDisks(disks, 'bios', node, ['sda', 'sdb', 'sdc', 'sdd', 'sde', 'sdf', 'sdg', 'sdh', 'sdi'])).toThrow(/must name 1 to 8 disks/);
  });

  it('renders a plain layout, root fixed for a node and growing for a Striker', () => {
    const text = renderPartInclude(planDisks([disk('sda', 500)], 'bios', node));
    expect(text).toContain('part biosboot --fstype=biosboot --size=1 --ondisk=sda\n');
    expect(text).toContain('logvol / --vgname=node_vg --name=root --fstype=xfs --size=81920\n');
    const striker = renderPartInclude(planDisks([disk('sda', 500)], 'efi', diskRulesByRole.striker));
    expect(striker).toContain('part /boot/efi --fstype=efi --size=600 --ondisk=sda\n');
    expect(striker).toContain('--size=40960 --grow\n');
  });

  it('gives every BIOS disk its own BIOS boot partition under a distinct name, and mirrors the ESP without --metadata', () => {
    const disks = ['sda', 'sdb', 'sdc'].map((n) => disk(n, 500));
    const bios = renderPartInclude(planDisks(disks, 'bios', node));
    expect(bios.split('\n').filter((l) => l.includes('--fstype=biosboot'))).toEqual([
      'part biosboot --fstype=biosboot --size=1 --ondisk=sda',
      'part biosboot.1 --fstype=biosboot --size=1 --ondisk=sdb',
      'part biosboot.2 --fstype=biosboot --size=1 --ondisk=sdc',
    ]);
    const efi = renderPartInclude(planDisks(disks, 'efi', node));
    expect(efi).toContain('\nraid /boot/efi --level=RAID1 --device=boot_efi --fstype=efi raid.efi0 raid.efi1 raid.efi2\n');
  });

  it('renders includes with no pykickstart duplicates, only known raid options, and no linter finding, for every role, 1–8 disks, BIOS and UEFI', () => {
    for (const role of roles) {
      for (let count = 1; count <= 8; count++) {
        for (const fw of ['bios', 'efi'] as const) {
          const disks = Array.from({ length: count }, (_, i) => disk(`sd${String.fromCharCode(97 + i)}`, 500));
          const text = renderPartInclude(planDisks(disks, fw, diskRulesByRole[role]));
          const where = `${role}, ${count} disk(s), ${fw}`;
          expect(text.startsWith('# Striker disk plan: '), where).toBe(true);
          expect(pykickstartDuplicates(text), where).toEqual([]);
          const raidOpts = text.split('\n').filter((l) => l.startsWith('raid ')).flatMap((l) => l.split(' ').filter((w) => w.startsWith('--')).map((w) => w.split('=')[0]));
          expect(raidOpts.filter((o) => !raidOptions.has(o ?? '')), where).toEqual([]);
          expect(lintKickstart(text, { fragment: true }), where).toEqual({ ok: true, problems: [] });
        }
      }
    }
  });
});
