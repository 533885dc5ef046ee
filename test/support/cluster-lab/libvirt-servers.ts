/**
 * Servers of the libvirt lab as pacemaker resources `ocf:striker:server`: the shared files a
 * server needs (the tiny guest's domain XML, its disk file standing in for the DRBD device, the
 * DRBD configuration read by dry runs, the console file and the dry-run log), and the `pcs`
 * command that creates the resource. The files live in one directory of the host's filesystem,
 * which both nodes see at the same path, as a DRBD device is at the same path on both subnodes.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ClusterLab } from './cluster-lab.js';
import { writeTinyDomain, type TinyGuestImage } from './libvirt-guest.js';

export interface LabServer {
  name: string;
  config: string;
  console: string;
  liveMigration: boolean;
}

/** drbd.conf for the lab's servers: node1/node2 on the storage network, minor and port per server. */
export function renderLabDrbdConf(names: readonly string[]): string {
  const resources = names.map((name, i) => `resource ${name} {
  device /dev/drbd${i}; disk /dev/lab/${name}; meta-disk internal;
  on node1 { node-id 0; address 198.18.3.1:${7788 + i}; }
  on node2 { node-id 1; address 198.18.3.2:${7788 + i}; }
  net { protocol C; fencing resource-and-stonith; }
}
`).join('');
  return `global { usage-count no; }\n${resources}`;
}

export class LabServers {
  readonly drbdConfig: string;
  readonly drbdLog: string;

  constructor(readonly dir: string, readonly image: TinyGuestImage, private readonly names: readonly string[]) {
    this.drbdConfig = join(dir, 'drbd.conf');
    this.drbdLog = join(dir, 'drbd-dry-run.log');
  }

  async writeDrbdConfig(): Promise<void> {
    await writeFile(this.drbdConfig, renderLabDrbdConf(this.names));
  }

  /** Writes the server's files and creates its resource on the cluster (through node `via`). */
  async create(lab: ClusterLab, via: number, name: string, options: { liveMigration: boolean; preferred: string }): Promise<LabServer> {
    if (!this.names.includes(name)) throw new Error(`server ${name} is not in the lab's drbd.conf (${this.names.join(', ')})`);
    const console = join(this.dir, `${name}.console.log`);
    const config = await writeTinyDomain(this.dir, { name, image: this.image, console, disk: join(this.dir, `${name}.img`) });
    const migrationHosts = lab.nodes.map((n) => `${n.name}=${n.addresses.mn}`).join(' ');
    // Created disabled, so that it first starts where its location constraint puts it.
    await lab.exec(via, ['pcs', 'resource', 'create', name, 'ocf:striker:server', '--disabled',
      `name=${name}`, `config=${config}`, `drbd_resource=${name}`, `drbd_config=${this.drbdConfig}`, 'drbd_dry_run=true',
      `drbd_dry_run_log=${this.drbdLog}`, `live_migration=${options.liveMigration}`, `migration_hosts=${migrationHosts}`,
      'meta', 'allow-migrate=true', 'resource-stickiness=100',
      'op', 'monitor', 'interval=5s', 'timeout=30s', 'op', 'start', 'timeout=120s', 'op', 'stop', 'timeout=120s',
      'op', 'migrate_to', 'timeout=180s', 'op', 'migrate_from', 'timeout=120s']);
    await lab.exec(via, ['pcs', 'constraint', 'location', name, 'prefers', `${options.preferred}=50`]);
    await lab.exec(via, ['pcs', 'resource', 'enable', name]);
    return { name, config, console, liveMigration: options.liveMigration };
  }

  /** The dry-run log lines ("<node> <step>: <drbdsetup command>") about one DRBD resource. */
  async drbdCommands(resource: string): Promise<string[]> {
    const text = await readFile(this.drbdLog, 'utf8').catch(() => '');
    return text.split('\n').filter((l) => new RegExp(` ${resource}( |$)`).test(l));
  }
}
