/**
 * What provisioning a server asks of each subnode, from its row and the servers configuration:
 * the DRBD resource file and the domain XML (rendered once, so both subnodes get the same text)
 * and the two `server.provision` payloads. node2 is prepared first; node1 then also makes the
 * initial sync and the pacemaker resource, when both subnodes are ready. Pure.
 *
 * The domain's disk is the DRBD device, except when DRBD runs dry (no kernel module, no device):
 * then it is the backing volume itself.
 */
import type { HostJobPayload } from '../../striker/agent/index.js';
import { backingVolumePath } from './backing-volume.js';
import { renderDomainXml } from './domain-xml.js';
import { drbdDevicePath, renderDrbdResource } from './drbd-resource.js';
import type { Server, ServerHost } from './server-record.js';
import { storageOf, type ServersConfig } from './servers-config.js';

export type ProvisionPayload = HostJobPayload<'server.provision'>;

export interface ProvisionPlan {
  resourceFile: string;
  domainXml: string;
  node1: { host: ServerHost; payload: ProvisionPayload };
  node2: { host: ServerHost; payload: ProvisionPayload };
}

function hostOf(server: Server, key: 'node1' | 'node2'): ServerHost {
  const host = server.hosts.find((h) => h.key === key);
  if (host === undefined) throw new Error(`server ${server.name} has no ${key} in its hosts`);
  return host;
}

export function planProvisioning(server: Server, config: ServersConfig): ProvisionPlan {
  const storage = storageOf(config);
  const volume = backingVolumePath(storage, server.name);
  const [n1, n2] = [hostOf(server, 'node1'), hostOf(server, 'node2')];
  const resourceFile = renderDrbdResource({
    name: server.name,
    minor: server.drbdMinor,
    port: server.drbdPort,
    disk: volume,
    nodes: [{ name: n1.name, address: n1.snAddress }, { name: n2.name, address: n2.snAddress }],
  });
  const domainXml = renderDomainXml({
    name: server.name,
    uuid: server.id,
    vcpus: server.vcpus,
    memoryMiB: server.memoryMiB,
    disk: config.drbdDryRun ? volume : drbdDevicePath(server.drbdMinor),
    ...(server.installIso === null ? {} : { installIso: server.installIso }),
    ...(server.driverIso === null ? {} : { driverIso: server.driverIso }),
    networks: server.networks,
    osVariant: server.osVariant,
    hypervisor: config.hypervisor,
    machine: config.machine,
    ...(config.consoleLogDirectory === undefined ? {} : { consoleLog: `${config.consoleLogDirectory.replace(/\/+$/, '')}/${server.name}.console` }),
    ...(config.directBoot === undefined ? {} : { directBoot: config.directBoot }),
  });
  const preferred = server.preferredNode === 'node1' ? n1 : n2;
  const migrationHosts = [n1, n2].flatMap((h) => (h.mnAddress === undefined || h.mnAddress === '' ? [] : [{ node: h.name, address: h.mnAddress }]));
  const payload = (host: ServerHost, role: 'node1' | 'node2'): ProvisionPayload => ({
    server: server.name,
    action: 'create',
    role,
    hostName: host.name,
    diskGiB: server.diskGiB,
    storage,
    drbdResource: resourceFile,
    domainXml,
    drbdDryRun: config.drbdDryRun,
    ...(role === 'node1' ? { pacemaker: { liveMigration: server.liveMigration, preferredNode: preferred.name, migrationHosts } } : {}),
  });
  return { resourceFile, domainXml, node1: { host: n1, payload: payload(n1, 'node1') }, node2: { host: n2, payload: payload(n2, 'node2') } };
}
