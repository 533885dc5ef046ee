/**
 * The storage commands of the RHEL 9 kickstart grammar, as data. Ground truth: pykickstart's
 * handler `pykickstart/handlers/rhel9.py` and the classes it names in `pykickstart/commands/`
 * (partition.py RHEL9_Partition, raid.py RHEL9_Raid, logvol.py RHEL9_LogVol, volgroup.py
 * RHEL9_VolGroup, clearpart.py F28_ClearPart, ignoredisk.py F34_IgnoreDisk, bootloader.py
 * RHEL9_Bootloader, autopart.py RHEL9_AutoPart, zerombr.py, reqpart.py, mount.py, snapshot.py).
 * Sizes are integers in MiB (`type=int`: pykickstart takes no unit suffix on these options).
 */
import {
  choice, encryptionOptions, flag, int, removedOption, str,
  type CommandRule, type CommandSpec, type OptionSpec,
} from './grammar-types.js';

const noBtrfs = (option: string): CommandRule => ({
  kind: 'forbidValue', option, values: ['btrfs'], message: 'Btrfs file system is not supported (RHEL 8 and later)',
});

const mkfsRules: readonly CommandRule[] = [
  { kind: 'atMostOne', options: ['--mkfsoptions', '--fsprofile'], message: '--mkfsoptions and --fsprofile cannot be used together' },
  { kind: 'atMostOne', options: ['--mkfsoptions', '--noformat'], message: '--mkfsoptions with --noformat has no effect' },
  { kind: 'atMostOne', options: ['--pbkdf-time', '--pbkdf-iterations'], message: 'only one of --pbkdf-time and --pbkdf-iterations can be specified' },
];

const partitionOptions: Readonly<Record<string, OptionSpec>> = {
  '--asprimary': flag, '--fstype': str, '--type': str, '--grow': flag, '--maxsize': int, '--noformat': flag,
  '--onbiosdisk': str, '--ondisk': str, '--ondrive': str, '--onpart': str, '--usepart': str, '--recommended': flag,
  '--size': int, '--fsoptions': str, '--label': str, '--fsprofile': str, '--resize': flag, '--hibernation': flag,
  '--mkfsoptions': str, ...encryptionOptions,
  '--active': removedOption('--active', 'RHEL 9', 'it had no effect on GPT disks'),
  '--start': removedOption('--start', 'F14'), '--end': removedOption('--end', 'F14'),
  '--bytes-per-inode': removedOption('--bytes-per-inode', 'F14'),
};

const partition: CommandSpec = {
  options: partitionOptions, args: [1, 1], argsName: 'a mount point (/path, swap, raid.<id>, pv.<id>, biosboot)', repeatable: true,
  rules: [
    noBtrfs('--fstype'), noBtrfs('--type'), ...mkfsRules,
    { kind: 'needs', option: '--resize', needs: ['--onpart', '--size'], message: '--resize can only be used with --onpart and needs --size for the new size' },
  ],
  conflicts: ['autopart'],
};

/** raid.py levelMap: the level is upper-cased before the lookup. */
const raidLevels = ['RAID0', '0', 'RAID1', '1', 'RAID4', '4', 'RAID5', '5', 'RAID6', '6', 'RAID10', '10'] as const;

const storageOnly = ['autopart'] as const;

export const storageCommands: Readonly<Record<string, CommandSpec>> = {
  part: partition,
  partition,
  raid: {
    options: {
      '--device': str, '--fstype': str, '--level': choice(raidLevels, true), '--noformat': flag, '--spares': int,
      '--useexisting': flag, '--fsoptions': str, '--fsprofile': str, '--label': str, '--mkfsoptions': str, '--chunksize': int,
      ...encryptionOptions,
      '--bytes-per-inode': removedOption('--bytes-per-inode', 'F14'),
    },
    args: [1, undefined], argsName: 'a mount point and the member partitions', required: ['--device'], repeatable: true,
    rules: [
      { kind: 'argsAtLeast', min: 2, unless: ['--useexisting', '--noformat'], message: 'Partitions required for raid' },
      { kind: 'argsAtMost', max: 1, when: ['--useexisting', '--noformat'], message: 'Members may not be specified for preexisting RAID device' },
      { kind: 'atLeastOne', options: ['--level'], unless: ['--useexisting', '--noformat'], message: 'RAID Partition defined without RAID level' },
      noBtrfs('--fstype'), ...mkfsRules,
    ],
    conflicts: storageOnly,
  },
  volgroup: {
    options: {
      '--noformat': flag, '--useexisting': flag, '--pesize': int, '--reserved-space': int, '--reserved-percent': int,
    },
    args: [1, undefined], argsName: 'a volume group name and its physical volumes', repeatable: true,
    rules: [
      { kind: 'argsAtLeast', min: 2, unless: ['--useexisting', '--noformat'], message: 'Physical volumes required for volgroup' },
      { kind: 'argsAtMost', max: 1, when: ['--useexisting', '--noformat'], message: 'Members may not be specified for preexisting volgroup' },
      { kind: 'atMostOne', options: ['--reserved-space', '--reserved-percent'], message: '--reserved-space and --reserved-percent are mutually exclusive' },
    ],
    conflicts: storageOnly,
  },
  logvol: {
    options: {
      '--vgname': str, '--name': str, '--size': int, '--grow': flag, '--maxsize': int, '--fstype': str, '--percent': int,
      '--recommended': flag, '--useexisting': flag, '--noformat': flag, '--label': str, '--fsoptions': str, '--fsprofile': str,
      '--mkfsoptions': str, '--thin': flag, '--thinpool': flag, '--poolname': str, '--chunksize': int, '--metadatasize': int,
      '--profile': str, '--resize': flag, '--hibernation': flag, '--cachesize': int, '--cachemode': choice(['writeback', 'writethrough']),
      '--cachepvs': str, ...encryptionOptions,
      '--bytes-per-inode': removedOption('--bytes-per-inode', 'F14'),
    },
    args: [1, 1], argsName: 'a mount point (/path, swap, none)', required: ['--vgname', '--name'], repeatable: true,
    rules: [
      { kind: 'atLeastOne', options: ['--size', '--percent', '--recommended', '--hibernation'], unless: ['--useexisting', '--noformat', '--thinpool'], message: 'Size required: give --size, --percent, --recommended or --hibernation' },
      { kind: 'atMostOne', options: ['--size', '--percent'], message: '--size and --percent are mutually exclusive' },
      { kind: 'needs', option: '--resize', needs: ['--useexisting', '--size'], message: '--resize can only be used with --useexisting and needs --size' },
      { kind: 'needs', option: '--thin', needs: ['--poolname'], message: '--thin requires --poolname' },
      noBtrfs('--fstype'), ...mkfsRules,
    ],
    conflicts: storageOnly,
  },
  autopart: {
    options: {
      '--type': choice(['lvm', 'plain', 'thinp']), '--fstype': str, '--nolvm': flag, '--nohome': flag, '--noboot': flag,
      '--noswap': flag, ...encryptionOptions,
    },
    args: [0, 0],
    rules: [
      { kind: 'atMostOne', options: ['--type', '--nolvm'], message: '--type and --nolvm are mutually exclusive' },
      noBtrfs('--fstype'), noBtrfs('--type'),
    ],
    conflicts: ['part', 'partition', 'raid', 'volgroup', 'logvol', 'reqpart', 'mount'],
  },
  reqpart: { options: { '--add-boot': flag }, args: [0, 0], conflicts: ['autopart'] },
  clearpart: {
    options: { '--all': flag, '--linux': flag, '--none': flag, '--initlabel': flag, '--disklabel': str, '--drives': str, '--list': str, '--cdl': flag },
    args: [0, 0],
    rules: [{ kind: 'atMostOne', options: ['--all', '--linux', '--none', '--list'], message: 'only one of --all, --linux, --none and --list can be used' }],
  },
  ignoredisk: {
    options: {
      '--drives': str, '--only-use': str,
      '--interactive': removedOption('--interactive', 'F34 (RHEL 9)'),
    },
    args: [0, 0],
    rules: [
      { kind: 'atLeastOne', options: ['--drives', '--only-use'], message: 'One of --drives or --only-use must be specified for ignoredisk command' },
      { kind: 'atMostOne', options: ['--drives', '--only-use'], message: '--drives and --only-use are mutually exclusive' },
    ],
  },
  zerombr: { options: {}, args: [0, 0] },
  bootloader: {
    options: {
      '--append': str, '--driveorder': str, '--location': choice(['mbr', 'partition', 'none', 'boot']), '--password': str,
      '--iscrypted': flag, '--md5pass': str, '--timeout': int, '--boot-drive': str, '--leavebootorder': flag, '--extlinux': flag,
      '--disabled': flag, '--nombr': flag,
      '--upgrade': removedOption('--upgrade', 'RHEL 9'), '--useLilo': removedOption('--useLilo', 'F19'),
      '--lba32': removedOption('--lba32', 'F19'), '--linear': removedOption('--linear', 'F19'), '--nolinear': removedOption('--nolinear', 'F19'),
    },
    args: [0, 0],
  },
  mount: {
    options: { '--reformat': str, '--mkfsoptions': str, '--mountoptions': str },
    args: [2, 2], argsName: 'a device and a mount point', repeatable: true, conflicts: ['autopart'],
  },
  snapshot: {
    options: { '--name': str, '--when': choice(['pre-install', 'post-install']) },
    args: [1, 1], argsName: 'a thin logical volume (vg/lv)', required: ['--name', '--when'], repeatable: true,
  },
  btrfs: { options: {}, args: [0, undefined], repeatable: true, removed: 'btrfs is not supported in RHEL 8 and later' },
  iscsi: {
    options: { '--target': str, '--ipaddr': str, '--port': str, '--user': str, '--password': str, '--reverse-user': str, '--reverse-password': str, '--iface': str },
    args: [0, 0], required: ['--ipaddr'], repeatable: true,
  },
  iscsiname: { options: {}, args: [1, 1], argsName: 'an iSCSI initiator name' },
  fcoe: { options: { '--nic': str, '--dcb': flag, '--autovlan': flag, '--mode': str }, args: [0, 0], required: ['--nic'], repeatable: true },
  zfcp: { options: { '--devnum': str, '--wwpn': str, '--fcplun': str }, args: [0, 0], required: ['--devnum'], repeatable: true },
  nvdimm: {
    options: {}, args: [1, undefined], freeForm: true, repeatable: true,
    deprecated: 'The nvdimm command is deprecated in RHEL 9 and may be removed from future releases.',
  },
  zipl: { options: { '--secure-boot': flag, '--no-secure-boot': flag, '--force-secure-boot': flag }, args: [0, 0] },
};
