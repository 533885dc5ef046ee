/**
 * Generates the `%pre` script that finds the install disks at install time and writes
 * /tmp/part-include (used by `%include /tmp/part-include`). POSIX sh, so it runs under
 * Anaconda's shell, dash, bash and busybox alike. It honours `SYSFS_ROOT` (default /sys) and
 * `PART_INCLUDE` (default /tmp/part-include) so tests can run it against fake `/sys/block` trees.
 * The logic mirrors `planDisks` and `renderPartInclude` line for line;
 * test/interop/kickstart/disk-script.test.ts holds the two together.
 *
 * Detection (Linux sysfs ABI, Documentation/ABI/stable/sysfs-block): every entry of /sys/block
 * (in `LC_ALL=C` glob order), minus the `ignoredDevicePrefixes` (loop, ram, sr, zram, dm-, md,
 * fd, nbd), minus `removable` = 1, minus `hidden` = 1 (per-path devices of native NVMe
 * multipath), minus disks whose resolved device path goes through one of the
 * `remotePathComponents` (USB host `usbN`, iSCSI session `sessionN`, Fibre Channel remote port
 * `rport-…`, `nvme-fabrics`), minus NVMe namespaces whose controller `transport` is not `pcie`
 * (`device/transport`, or under an NVMe subsystem the `transport` of each controller
 * `device/nvmeN` links to), minus paths of a multipath device (a `holders/*` entry whose
 * `dm/uuid` starts with `mpath-`), sized by `size` (512-byte sectors). Each skipped disk and its reason goes to stderr, which Anaconda
 * keeps in the `%pre` log. Firmware: /sys/firmware/efi exists only when booted by UEFI.
 */
import { assertDiskList, ignoredDevicePrefixes, localNvmeTransport, neededMiB, perDiskMiB, remotePathComponents, type DiskRules } from './disk-rules.js';
import { biosbootName, volumeLines } from './part-include.js';

/** `disks`: an explicit disk list (kernel names); without one every local disk is used. */
export function renderDiskScript(rules: DiskRules, disks: readonly string[] = []): string {
  assertDiskList(disks);
  const need = neededMiB(rules);
  const min = rules.minDiskMiB;
  const pick = rules.layouts.map((r) => {
    const upper = r.maxDisks === undefined ? '' : ` && [ "$count" -le ${r.maxDisks} ]`;
    return `if [ -z "$level" ] && [ "$count" -ge ${r.minDisks} ]${upper}; then level=${r.level}; fi`;
  });
  const ignored = ignoredDevicePrefixes.map((p) => `${p}*`).join('|');
  const remote = remotePathComponents
    .map((c) => `  case "$real" in */${c.prefix}${c.digit ? '[0-9]' : ''}*/*) echo ${c.transport}; return ;; esac`)
    .join('\n');
  const firstBiosboot = biosbootName(0);
  return `# Striker disk planner, generated from kickstart/disk-rules.ts
LC_ALL=C
export LC_ALL
SYSFS_ROOT="\${SYSFS_ROOT:-/sys}"
PART_INCLUDE="\${PART_INCLUDE:-/tmp/part-include}"
only='${disks.join(' ')}'
fail() {
  echo "Striker disk plan failed: $1" >&2
  printf '# Striker disk plan failed: %s\\n' "$1" > "$PART_INCLUDE"
  exit 1
}
sysfs_real=$(cd -P "$SYSFS_ROOT" 2>/dev/null && pwd -P) || fail "cannot read $SYSFS_ROOT"
size_mib() {
  sectors=$(cat "$SYSFS_ROOT/block/$1/size" 2>/dev/null)
  case "$sectors" in ''|*[!0-9]*) return ;; esac
  echo $((sectors / 2048))
}
unusable() {
  dev="$SYSFS_ROOT/block/$1"
  case "$1" in ${ignored}) echo 'not a disk'; return ;; esac
  [ "$(cat "$dev/removable" 2>/dev/null)" = 1 ] && { echo removable; return; }
  [ "$(cat "$dev/hidden" 2>/dev/null)" = 1 ] && { echo hidden; return; }
  real=$(cd -P "$dev" 2>/dev/null && pwd -P) || { echo unreadable; return; }
  real="\${real#"$sysfs_real"}/"
${remote}
  for t in "$dev"/device/transport "$dev"/device/nvme*/transport; do
    [ -r "$t" ] || continue
    [ "$(cat "$t")" = ${localNvmeTransport} ] || { echo nvme-fabrics; return; }
  done
  for h in "$dev"/holders/*; do
    case "$(cat "$h/dm/uuid" 2>/dev/null)" in mpath-*) echo multipath; return ;; esac
  done
  mib=$(size_mib "$1")
  [ -n "$mib" ] || { echo 'no size'; return; }
  [ "$mib" -ge ${min} ] || echo small
}
disks=''
count=0
smallest=0
add() {
  disks="$disks $1"
  count=$((count + 1))
  if [ "$smallest" -eq 0 ] || [ "$2" -lt "$smallest" ]; then smallest=$2; fi
}
if [ -n "$only" ]; then
  for name in $only; do
    mib=$(size_mib "$name")
    [ -n "$mib" ] || fail "disk $name named in the disk list was not found"
    [ "$mib" -ge ${min} ] || fail "disk $name named in the disk list has $mib MiB, less than ${min} MiB"
    add "$name" "$mib"
  done
else
  for dev in "$SYSFS_ROOT"/block/*; do
    [ -e "$dev" ] || continue
    name=\${dev##*/}
    why=$(unusable "$name")
    if [ -n "$why" ]; then
      echo "Striker disk planner: skipping $name ($why)" >&2
      continue
    fi
    add "$name" "$(size_mib "$name")"
  done
  [ "$count" -gt 0 ] || fail "no usable local disk of at least ${min} MiB found"
fi
firmware=bios
perdisk=${perDiskMiB(rules, 'bios')}
keeps=biosboot
if [ -d "$SYSFS_ROOT/firmware/efi" ]; then firmware=efi; perdisk=${perDiskMiB(rules, 'efi')}; keeps='the ESP'; fi
level=''
${pick.join('\n')}
[ -n "$level" ] || fail "no layout rule for $count disk(s)"
member=$((smallest - perdisk))
case "$level" in
  raid10) usable=$((member * (count / 2))) ;;
  raid6) usable=$((member * (count - 2))) ;;
  *) usable=$member ;;
esac
[ "$usable" -ge ${need} ] || fail "$level over $count disk(s) leaves $usable MiB for root and swap, need at least ${need} MiB (each disk keeps $perdisk MiB for /boot, $keeps and metadata)"
list=''
for d in $disks; do list="\${list:+$list,}$d"; done
first=\${disks# }
first=\${first%% *}
biosboot() {
  if [ "$2" -eq 0 ]; then bb=${firstBiosboot}; else bb="biosboot.$2"; fi
  echo "part $bb --fstype=biosboot --size=${rules.biosbootMiB} --ondisk=$1"
}
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
      biosboot "$first" 0
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
        biosboot "$d" "$i"
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
      echo "raid /boot/efi --level=RAID1 --device=boot_efi --fstype=efi$efi"
    fi
    echo "raid /boot --level=RAID1 --device=boot --fstype=xfs$boot"
    echo "raid pv.01 --level=$md --device=pv00$pv"
  fi
${volumeLines(rules).map((line) => `  echo "${line}"`).join('\n')}
} > "$PART_INCLUDE"
`;
}
