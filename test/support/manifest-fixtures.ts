/**
 * Manifests for tests of the manifest area, its API and CLI: another stored pair, and the sample
 * with twenty distinct mistakes (each line below says which).
 */
import type { ManifestInput, ManifestView } from '../../striker/manifest/manifest-schema.js';
import { sampleManifest } from '../../striker/manifest/sample-manifest.js';

/** Another stored pair, numbered 1 but with addresses and machines of its own. */
export function otherPair(sequence: number): ManifestView {
  const host = (n: number) => ({ machine: `52:54:00:ee:00:0${n}`, addresses: { bcn1: `10.201.90.${n}` }, links: { bcn1: { macs: [`52:54:00:ee:01:0${n}`] } } });
  return {
    version: 1,
    pair: { prefix: 'xy', sequence, domain: 'example.lan' },
    networks: [{ kind: 'bcn', index: 1, subnet: '10.201.0.0/16', mtu: 1500 }],
    dns: [],
    ntp: [],
    hosts: { node1: host(1), node2: host(2) },
    fenceDevices: [],
    upses: [],
    clusterPassword: { set: true },
  };
}

/** The sample with twenty distinct mistakes. */
export function twentyProblems(options: { fenceCheck?: boolean } = {}): ManifestInput {
  const m = sampleManifest();
  const node1 = m.hosts.node1;
  const node2 = m.hosts.node2;
  const dr = m.hosts.dr!;
  m.pair.prefix = 'A1'; // 1 not letters
  // 2 pair 1 is the other stored pair's
  m.networks[0]!.gateway = '10.201.0.1'; // 4 a gateway on the BCN
  m.networks[1]!.mtu = 100; // 5 too small
  m.networks[2] = { kind: 'ifn', index: 1, subnet: '10.201.200.0/24', gateway: '10.201.200.1', mtu: 1500 }; // 3 overlaps bcn1
  node1.addresses = { bcn1: '10.202.10.1', sn1: '10.101.10.1', ifn1: '10.201.200.21' }; // 6 outside bcn1
  node2.addresses = { bcn1: '10.201.10.2', sn1: '10.101.10.1', ifn1: '10.201.200.22' }; // 7 node1's SN address
  node2.machine = '52:54:00:a1:00:99'; // 8 not registered
  dr.machine = '52:54:00:a1:00:04'; // 9 registered as a node
  delete node1.links.sn1; // 10 no SN link
  dr.addresses = { bcn1: '10.201.10.3', sn1: '10.101.10.3' }; // 11 no IFN address
  delete node2.ipmi; // 12 no fence method left
  delete node2.pduOutlets;
  node1.pduOutlets = { pdu1: '1', pdu9: '3' }; // 13 no such fence device
  node1.ipmi!.address = 'bmc-of-node1'; // 14 not an address
  // 15 a parameter the agent does not know (found by the injected check), or without one, a password among the parameters
  m.fenceDevices![0]!.parameters = options.fenceCheck === false ? { ip: '10.201.2.1', username: 'apc', password: 'x' } : { ip: '10.201.2.1', username: 'apc', bogus: 'x' };
  m.fenceDevices!.push({ name: 'pdu1', agent: 'fence_apc_snmp', parameters: { ip: '10.201.2.2' } }); // 16 name taken
  m.upses![0]!.powers = ['node1']; // 17, 18 node2 and dr unpowered
  (m.upses![0] as { source: string }).source = 'usb'; // 19 no such source
  m.clusterPassword = { set: true }; // 20 nothing stored to keep
  return m;
}

