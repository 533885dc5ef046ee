/**
 * The programs the benchmarks drive as peers, and the check each benchmark runs first: every
 * program it names must be on PATH, else it prints which are missing with their Debian packages
 * and exits 2 (a benchmark never runs with a peer left out). The packages are listed in
 * test/bench/bench-packages.txt and installed by test/bench/install-bench-packages.sh.
 *
 * From TypeScript: `requirePeers('nginx', 'wrk')`. From bash (test/bench/tftp/run.sh):
 * `node --import tsx test/bench/require-peers.ts nginx wrk`, which exits the same way.
 */
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Program → the Debian 12 package that puts it on PATH. */
export const peerPackages = {
  /** tftp/run.sh and the PXE boot bench fetch .debs with `apt-get download` and unpack them. */
  'apt-get': 'apt',
  atftp: 'atftp',
  bc: 'bc',
  busybox: 'busybox-static',
  cpio: 'cpio',
  createrepo_c: 'createrepo-c',
  curl: 'curl',
  dnf: 'dnf',
  dnsmasq: 'dnsmasq-base',
  dpkg: 'dpkg',
  ip: 'iproute2',
  ipmi_sim: 'openipmi',
  ipmitool: 'ipmitool',
  'kea-dhcp4': 'kea-dhcp4-server',
  nginx: 'nginx',
  perfdhcp: 'kea-admin',
  'qemu-system-x86_64': 'qemu-system-x86',
  renice: 'bsdutils',
  rpmbuild: 'rpm',
  rsync: 'rsync',
  sdrcomp: 'openipmi',
  taskset: 'util-linux',
  tcpdump: 'tcpdump',
  tftp: 'tftp-hpa',
  udhcpc: 'udhcpc',
  upsc: 'nut-client',
  upsd: 'nut-server',
  wrk: 'wrk',
} as const;

export type Peer = keyof typeof peerPackages;

/** True when `program` is an executable file in one of `path`'s directories. */
export function onPath(program: string, path = process.env['PATH'] ?? ''): boolean {
  return path.split(delimiter).some((dir) => {
    if (dir === '') return false;
    try {
      accessSync(join(dir, program), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

/** The line printed for missing peers: the first names its package in full, the rest briefly. */
export function missingPeersMessage(missing: readonly Peer[]): string {
  const named = missing.map((program, i) => `${program} (${i === 0 ? 'Debian package ' : ''}${peerPackages[program]})`);
  return `missing benchmark peers: ${named.join(', ')} — run bash test/bench/install-bench-packages.sh`;
}

/** Exits the process with status 2 and the missing-peers line unless every program is on PATH. */
export function requirePeers(...programs: Peer[]): void {
  const missing = programs.filter((program) => !onPath(program));
  if (missing.length === 0) return;
  process.stderr.write(`${missingPeersMessage(missing)}\n`);
  process.exit(2);
}

function isPeer(name: string): name is Peer {
  return Object.hasOwn(peerPackages, name);
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  const names = process.argv.slice(2);
  const unknown = names.filter((name) => !isPeer(name));
  if (unknown.length > 0) {
    process.stderr.write(`require-peers: no Debian package known for ${unknown.join(', ')} (add it to peerPackages in test/bench/require-peers.ts)\n`);
    process.exit(2);
  }
  requirePeers(...names.filter(isPeer));
}
