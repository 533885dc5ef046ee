/**
 * Renders a disk plan as the kickstart partitioning commands `%pre` writes to /tmp/part-include
 * (RHEL 9 grammar, pykickstart's RHEL9Handler: zerombr, clearpart, ignoredisk, bootloader, part,
 * raid, volgroup, logvol). disk-script.ts emits exactly these lines from shell; keep the two in
 * step (a test compares them for every role, 1–8 disks, BIOS and UEFI).
 *
 * The mirrored ESP. `raid` has no `--metadata` option in any pykickstart version (the options
 * are added in pykickstart/commands/raid.py, FC3_Raid._getParser through F29_Raid._getParser;
 * RHEL9_Raid adds none), so `raid /boot/efi` is written without it. The metadata comes from
 * blivet itself: MDRaidArrayDevice.pre_commit_fixup in blivet/devices/md.py sets
 * `metadata_version = "1.0"` for an array whose format is mounted at /boot/efi ("UEFI
 * firmware/bootloader cannot read 1.1 or 1.2 metadata arrays") and gives its member partitions
 * the ESP partition type; the EFI platform accepts such a stage1 device (class EFI in
 * blivet/platform.py: device types partition or mdarray, RAID1, metadata 1.0). Anaconda itself
 * writes `raid /boot/efi --device=boot_efi --fstype="efi" --level=RAID1 …` with no metadata
 * option into the anaconda-ks.cfg of a mirrored-ESP install.
 *
 * The BIOS boot partitions. With /boot on RAID1 on BIOS firmware, Anaconda runs grub2-install on
 * every disk of the /boot array, and grub2-install fails on a GPT disk without a BIOS boot
 * partition ("embedding is not possible, but this is required for RAID and LVM install",
 * rhinstaller/kickstart-tests issue 777), so every disk needs one. pykickstart warns when two
 * `part` lines share a mount point (FC3_Partition.parse in pykickstart/commands/partition.py:
 * `if pd.mountpoint != "swap" and pd in self.dataList()`, equality being FC3_PartData.__eq__ on
 * the mount point), and Anaconda's `inst.ksstrict` turns that warning into an error. So the first
 * disk's partition is `part biosboot` and the others are `part biosboot.N --fstype=biosboot`:
 * distinct mount points for pykickstart, the same device for Anaconda. In
 * CustomPartitioningTask._execute_partition_data (pyanaconda/modules/storage/partitioning/custom/
 * custom_partitioning.py) `biosboot` takes the branch that sets the format type to biosboot and
 * clears the mount point; any other name not starting with raid., pv. or btrfs. takes the branch
 * that uses `--fstype`. Both then call get_format("biosboot", mountpoint=…), and blivet's
 * DeviceFormat.__init__ (blivet/formats/__init__.py), which BIOSBoot uses, reads no mount point:
 * the two branches make the same partition, and no mount-point check runs on `part`
 * (_check_mount_point is called for raid, logvol and btrfs only).
 */
import type { DiskPlan, DiskRules, RaidLevel } from './disk-rules.js';

const raidLevelName: Readonly<Record<Exclude<RaidLevel, 'none'>, string>> = { raid1: 'RAID1', raid10: 'RAID10', raid6: 'RAID6' };

/** The mount-point name of disk `i`'s BIOS boot partition (see the module comment). */
export function biosbootName(i: number): string {
  return i === 0 ? 'biosboot' : `biosboot.${i}`;
}

/** The volume group on `pv.01` and its root and swap volumes: the same for every layout. */
export function volumeLines(rules: DiskRules): string[] {
  return [
    `volgroup ${rules.vgName} pv.01`,
    `logvol / --vgname=${rules.vgName} --name=root --fstype=xfs --size=${rules.rootMiB}${rules.rootGrow ? ' --grow' : ''}`,
    `logvol swap --vgname=${rules.vgName} --name=swap --size=${rules.swapMiB}`,
  ];
}

export function renderPartInclude(plan: DiskPlan): string {
  if (plan.kind === 'error') return `# Striker disk plan failed: ${plan.message}\n`;
  const { level, disks, firmware, rules, usableMiB } = plan;
  const list = disks.join(',');
  const lines = [
    `# Striker disk plan: ${level} on ${disks.length} disk(s) (${list}), ${firmware}, ${usableMiB} MiB usable`,
    'zerombr',
    `clearpart --all --initlabel --disklabel=gpt --drives=${list}`,
    `ignoredisk --only-use=${list}`,
    `bootloader --location=mbr --driveorder=${list}`,
  ];
  const biosboot = (d: string, i: number): string => `part ${biosbootName(i)} --fstype=biosboot --size=${rules.biosbootMiB} --ondisk=${d}`;
  if (level === 'none') {
    const d = disks[0] ?? '';
    lines.push(
      firmware === 'efi' ? `part /boot/efi --fstype=efi --size=${rules.efiMiB} --ondisk=${d}` : biosboot(d, 0),
      `part /boot --fstype=xfs --size=${rules.bootMiB} --ondisk=${d}`,
      `part pv.01 --size=1 --grow --ondisk=${d}`,
    );
  } else {
    disks.forEach((d, i) => {
      lines.push(
        firmware === 'efi' ? `part raid.efi${i} --size=${rules.efiMiB} --ondisk=${d}` : biosboot(d, i),
        `part raid.boot${i} --size=${rules.bootMiB} --ondisk=${d}`,
        `part raid.pv${i} --size=1 --grow --ondisk=${d}`,
      );
    });
    const members = (kind: string): string => disks.map((_, i) => `raid.${kind}${i}`).join(' ');
    if (firmware === 'efi') lines.push(`raid /boot/efi --level=RAID1 --device=boot_efi --fstype=efi ${members('efi')}`);
    lines.push(
      `raid /boot --level=RAID1 --device=boot --fstype=xfs ${members('boot')}`,
      `raid pv.01 --level=${raidLevelName[level]} --device=pv00 ${members('pv')}`,
    );
  }
  lines.push(...volumeLines(rules));
  return `${lines.join('\n')}\n`;
}
