/**
 * Renders a disk plan as the kickstart partitioning commands `%pre` writes to /tmp/part-include
 * (pykickstart: zerombr, clearpart, ignoredisk, bootloader, part, raid, volgroup, logvol).
 * disk-script.ts emits exactly these lines from shell; keep the two in step (a test compares them).
 */
import type { DiskPlan, RaidLevel } from './disk-rules.js';

const raidLevelName: Readonly<Record<Exclude<RaidLevel, 'none'>, string>> = { raid1: 'RAID1', raid10: 'RAID10', raid6: 'RAID6' };

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
  if (level === 'none') {
    const d = disks[0] ?? '';
    lines.push(
      firmware === 'efi'
        ? `part /boot/efi --fstype=efi --size=${rules.efiMiB} --ondisk=${d}`
        : `part biosboot --fstype=biosboot --size=1 --ondisk=${d}`,
      `part /boot --fstype=xfs --size=${rules.bootMiB} --ondisk=${d}`,
      `part pv.01 --size=1 --grow --ondisk=${d}`,
    );
  } else {
    disks.forEach((d, i) => {
      lines.push(
        firmware === 'efi'
          ? `part raid.efi${i} --size=${rules.efiMiB} --ondisk=${d}`
          : `part biosboot --fstype=biosboot --size=1 --ondisk=${d}`,
        `part raid.boot${i} --size=${rules.bootMiB} --ondisk=${d}`,
        `part raid.pv${i} --size=1 --grow --ondisk=${d}`,
      );
    });
    const members = (kind: string): string => disks.map((_, i) => `raid.${kind}${i}`).join(' ');
    if (firmware === 'efi') {
      lines.push(`raid /boot/efi --level=RAID1 --device=boot_efi --fstype=efi --metadata=1.0 ${members('efi')}`);
    }
    lines.push(
      `raid /boot --level=RAID1 --device=boot --fstype=xfs ${members('boot')}`,
      `raid pv.01 --level=${raidLevelName[level]} --device=pv00 ${members('pv')}`,
    );
  }
  lines.push(
    `volgroup ${rules.vgName} pv.01`,
    `logvol / --vgname=${rules.vgName} --name=root --fstype=xfs --size=${rules.rootMiB}${rules.rootGrow ? ' --grow' : ''}`,
    `logvol swap --vgname=${rules.vgName} --name=swap --size=${rules.swapMiB}`,
  );
  return `${lines.join('\n')}\n`;
}
