/**
 * The programs the cluster lab drives, with the Debian package of each. A missing one fails the
 * run with its package named (a lab that skips quietly proves nothing).
 */
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

export const labTools: Readonly<Record<string, string>> = {
  ip: 'iproute2',
  nsenter: 'util-linux',
  unshare: 'util-linux',
  setsid: 'util-linux',
  mount: 'mount',
  corosync: 'corosync',
  'corosync-keygen': 'corosync',
  'corosync-cfgtool': 'corosync',
  'corosync-quorumtool': 'corosync',
  pacemakerd: 'pacemaker',
  crm_mon: 'pacemaker-cli-utils',
  crm_resource: 'pacemaker-cli-utils',
  stonith_admin: 'pacemaker-cli-utils',
  pcs: 'pcs',
  fence_ipmilan: 'fence-agents',
  ipmi_sim: 'openipmi',
  ipmitool: 'ipmitool',
};

const searchPath = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'];

/** Throws one error listing every missing program and the package that provides it. */
export function requireLabTools(): void {
  const dirs = [...new Set([...(process.env['PATH'] ?? '').split(delimiter).filter(Boolean), ...searchPath])];
  const missing = Object.entries(labTools).filter(([tool]) => !dirs.some((d) => executable(join(d, tool))));
  if (missing.length > 0) {
    throw new Error(`the cluster lab needs ${missing.map(([t, p]) => `${t} (package ${p})`).join(', ')}; install them (test/system-packages.txt lists them)`);
  }
  if (process.getuid?.() !== 0) throw new Error('the cluster lab creates network namespaces and bind mounts: run it as root');
}

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
