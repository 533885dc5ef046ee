/**
 * What a manifest means, as the review page shows it and the cluster will see it: the names, each
 * host's address on each network (with its link: one NIC or a bond), the fence topology of each
 * node as ordered levels — IPMI first, then its PDU outlets (all outlets of the node in one level:
 * a node with two power supplies is off only when every outlet is), then `fence_delay` last — and
 * which UPS powers which host. Pure: reads a stored (secret-free) manifest.
 */
import { parseCidr } from '../core/net/ipv4.js';
import { hostKeys, networkKey, type HostKey, type ManifestView, type NetworkKind } from './manifest-schema.js';
import { pairNames } from './names.js';

export interface PlannedNetwork {
  key: string;
  kind: NetworkKind;
  subnet: string;
  gateway?: string;
  mtu: number;
}

export interface PlannedAddress {
  network: string;
  /** The address with its prefix length, as NetworkManager takes it (`10.201.10.1/16`). */
  cidr: string;
  address: string;
  /** The NICs of the link: one, or two in a bond. */
  macs: string[];
  bond: boolean;
}

export type FenceLevel =
  | { level: number; method: 'ipmi'; agent: 'fence_ipmilan'; address: string; username: string }
  | { level: number; method: 'pdu'; outlets: { device: string; agent: string; plug: string }[] }
  | { level: number; method: 'delay'; agent: 'fence_delay' };

export interface PlannedHost {
  key: HostKey;
  name: string;
  fqdn: string;
  machine: string;
  addresses: PlannedAddress[];
  /** The UPSes powering the host, by name. */
  upses: string[];
}

export interface ManifestPlan {
  anvil: string;
  domain: string;
  description?: string;
  networks: PlannedNetwork[];
  dns: string[];
  ntp: string[];
  hosts: PlannedHost[];
  /** Per node (subnode), its fence levels in the order the cluster tries them. */
  fencing: { host: HostKey; name: string; levels: FenceLevel[] }[];
  upses: { name: string; source: 'nut' | 'snmp'; address: string; powers: { host: HostKey; name: string }[] }[];
}

export function manifestPlan(manifest: ManifestView): ManifestPlan {
  const names = pairNames(manifest.pair);
  const networks: PlannedNetwork[] = manifest.networks.map((n) => ({ key: networkKey(n), kind: n.kind, subnet: n.subnet, ...(n.gateway === undefined ? {} : { gateway: n.gateway }), mtu: n.mtu }));
  const present = hostKeys.filter((k) => manifest.hosts[k] !== undefined);
  const devices = new Map(manifest.fenceDevices.map((d) => [d.name, d]));

  const hosts: PlannedHost[] = present.map((key) => {
    const host = manifest.hosts[key]!;
    const addresses = networks.flatMap((n): PlannedAddress[] => {
      const address = host.addresses[n.key];
      if (address === undefined) return [];
      const macs = host.links[n.key]?.macs ?? [];
      return [{ network: n.key, cidr: `${address}/${parseCidr(n.subnet)?.length ?? 32}`, address, macs, bond: macs.length > 1 }];
    });
    return { key, name: names.hosts[key].short, fqdn: names.hosts[key].fqdn, machine: host.machine, addresses, upses: manifest.upses.filter((u) => u.powers.includes(key)).map((u) => u.name) };
  });

  const fencing = present
    .filter((k) => k !== 'dr')
    .map((key) => {
      const host = manifest.hosts[key]!;
      const levels: FenceLevel[] = [];
      if (host.ipmi !== undefined) levels.push({ level: levels.length + 1, method: 'ipmi', agent: 'fence_ipmilan', address: host.ipmi.address, username: host.ipmi.username });
      const outlets = Object.entries(host.pduOutlets ?? {}).map(([device, plug]) => ({ device, agent: devices.get(device)?.agent ?? 'unknown', plug }));
      if (outlets.length > 0) levels.push({ level: levels.length + 1, method: 'pdu', outlets });
      levels.push({ level: levels.length + 1, method: 'delay', agent: 'fence_delay' });
      return { host: key, name: names.hosts[key].short, levels };
    });

  return {
    anvil: names.anvil,
    domain: manifest.pair.domain,
    ...(manifest.pair.description === undefined ? {} : { description: manifest.pair.description }),
    networks,
    dns: manifest.dns,
    ntp: manifest.ntp,
    hosts,
    fencing,
    upses: manifest.upses.map((u) => ({ name: u.name, source: u.source, address: u.address, powers: u.powers.filter((h) => manifest.hosts[h] !== undefined).map((h) => ({ host: h, name: names.hosts[h].short })) })),
  };
}
