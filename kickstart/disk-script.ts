/**
 * Generates the `%pre` script that detects disks at install time and writes /tmp/part-include
 * (used by `%include /tmp/part-include`). POSIX sh, so it runs under Anaconda's shell, dash and
 * bash alike. It honours `SYSFS_ROOT` (default /sys) and `PART_INCLUDE` (default /tmp/part-include)
 * so tests can run it against fake `/sys/block` trees. The logic mirrors `planDisks` and
 * `renderPartInclude` line for line; disk-script.test.ts holds the two together.
 *
 * Detection (Linux sysfs ABI, Documentation/ABI/stable/sysfs-block): every entry of /sys/block,
 * minus loop/ram/sr/zram/dm-/md devices, minus `removable` = 1, minus `hidden` = 1 (the per-path
 * devices of native NVMe multipath, e.g. nvme0c0n1), sized by `size` (512-byte sectors).
 * Firmware: the directory /sys/firmware/efi exists only when booted by UEFI.
 */
import { ignoredDevicePrefixes, type DiskRules } from './disk-rules.js';

export function renderDiskScript(rules: DiskRules): string {
  const efiNeed = rules.rootMiB + rules.swapMiB + rules.bootMiB + rules.efiMiB + rules.overheadMiB;
  const biosNeed = rules.rootMiB + rules.swapMiB + rules.bootMiB + 1 + rules.overheadMiB;
  const pick = rules.layouts.map((r) => {
    const upper = r.maxDisks === undefined ? '' : ` && [ "$count" -le ${r.maxDisks} ]`;
    return `if [ -z "$level" ] && [ "$count" -ge ${r.minDisks} ]${upper}; then level=${r.level}; fi`;
  });
  const ignored = ignoredDevicePrefixes.map((p) => `${p}*`).join('|');
  const root = `logvol / --vgname=${rules.vgName} --name=root --fstype=xfs --size=${rules.rootMiB}${rules.rootGrow ? ' --grow' : ''}`;
  return `# Striker disk planner, generated from kickstart/disk-rules.ts
SYSFS_ROOT="\${SYSFS_ROOT:-/sys}"
PART_INCLUDE="\${PART_INCLUDE:-/tmp/part-include}"
fail() {
  echo "Striker disk plan failed: $1" >&2
  printf '# Striker disk plan failed: %s\\n' "$1" > "$PART_INCLUDE"
  exit 1
}
disks=''
count=0
smallest=0
for dev in "$SYSFS_ROOT"/block/*; do
  [ -r "$dev/size" ] || continue
  name=\${dev##*/}
  case "$name" in ${ignored}) continue ;; esac
  [ "$(cat "$dev/removable" 2>/dev/null)" = 1 ] && continue
  [ "$(cat "$dev/hidden" 2>/dev/null)" = 1 ] && continue
  sectors=$(cat "$dev/size" 2>/dev/null)
  case "$sectors" in ''|*[!0-9]*) continue ;; esac
  mib=$((sectors / 2048))
  [ "$mib" -ge ${rules.minDiskMiB} ] || continue
  disks="$disks $name"
  count=$((count + 1))
  if [ "$smallest" -eq 0 ] || [ "$mib" -lt "$smallest" ]; then smallest=$mib; fi
done
firmware=bios
need=${biosNeed}
if [ -d "$SYSFS_ROOT/firmware/efi" ]; then firmware=efi; need=${efiNeed}; fi
level=''
${pick.join('\n')}
[ "$count" -gt 0 ] && [ -n "$level" ] || fail "no usable disk of at least ${rules.minDiskMiB} MiB found"
case "$level" in
  raid10) usable=$((smallest * (count / 2))) ;;
  raid6) usable=$((smallest * (count - 2))) ;;
  *) usable=$smallest ;;
esac
[ "$usable" -ge "$need" ] || fail "$level over $count disk(s) gives $usable MiB, need at least $need MiB"
list=''
for d in $disks; do list="\${list:+$list,}$d"; done
first=\${disks# }
first=\${first%% *}
{
  echo "# Striker disk plan: $level on $count disk(s) ($list), $firmware, $usable MiB usable"
  echo "zerombr"
  echo "clearpart --all --initlabel --disklabel=gpt --drives=$list"
  echo "ignoredisk --only-use=$list"
  echo "bootloader --location=mbr --driveorder=$list"
  if [ "$level" = none ]; then
    if [ "$firmware" = efi ]; then
      echo "part /boot/efi --fstype=efi --size=${rules.efiMiB} --ondisk=$first"
    else
      echo "part biosboot --fstype=biosboot --size=1 --ondisk=$first"
    fi
    echo "part /boot --fstype=xfs --size=${rules.bootMiB} --ondisk=$first"
    echo "part pv.01 --size=1 --grow --ondisk=$first"
  else
    i=0
    efi=''
    boot=''
    pv=''
    for d in $disks; do
      if [ "$firmware" = efi ]; then
        echo "part raid.efi$i --size=${rules.efiMiB} --ondisk=$d"
      else
        echo "part biosboot --fstype=biosboot --size=1 --ondisk=$d"
      fi
      echo "part raid.boot$i --size=${rules.bootMiB} --ondisk=$d"
      echo "part raid.pv$i --size=1 --grow --ondisk=$d"
      efi="$efi raid.efi$i"
      boot="$boot raid.boot$i"
      pv="$pv raid.pv$i"
      i=$((i + 1))
    done
    case "$level" in raid1) md=RAID1 ;; raid10) md=RAID10 ;; *) md=RAID6 ;; esac
    if [ "$firmware" = efi ]; then
      echo "raid /boot/efi --level=RAID1 --device=boot_efi --fstype=efi --metadata=1.0$efi"
    fi
    echo "raid /boot --level=RAID1 --device=boot --fstype=xfs$boot"
    echo "raid pv.01 --level=$md --device=pv00$pv"
  fi
  echo "volgroup ${rules.vgName} pv.01"
  echo "${root}"
  echo "logvol swap --vgname=${rules.vgName} --name=swap --size=${rules.swapMiB}"
} > "$PART_INCLUDE"
`;
}
