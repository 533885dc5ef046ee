/**
 * `%packages` per role. Names are RHEL 9 / AlmaLinux 9 package names (BaseOS, AppStream,
 * HighAvailability) plus LINBIT's DRBD 9 packages and Striker's own (`striker`, `striker-agent`
 * from the repo the kickstart names `striker`). Everything a host needs is here, so the pre-boot
 * package check resolves all of it; `%post` installs nothing. The DR host replicates with DRBD
 * and runs servers, but is not a cluster member: the node set without the corosync/pacemaker stack.
 */
import type { Role } from './kickstart-input.js';

const base = ['@core', 'chrony', 'curl', 'lvm2', 'mdadm', 'rsync', 'tar', 'xfsprogs'] as const;

const clusterStack = ['corosync', 'pacemaker', 'pcs'] as const;

const nodeOnly = [
  ...clusterStack,
  'fence-agents-all',
  'resource-agents',
  'drbd-utils',
  'kmod-drbd',
  'ipmitool',
  'libvirt',
  'libvirt-daemon-kvm',
  'qemu-kvm',
  'virt-install',
  'striker-agent',
] as const;

export const packagesByRole: Readonly<Record<Role, readonly string[]>> = {
  striker: [...base, 'postgresql-server', 'createrepo_c', 'ipmitool', 'striker'],
  node: [...base, ...nodeOnly],
  dr: [...base, ...nodeOnly.filter((p) => !(clusterStack as readonly string[]).includes(p))],
};
