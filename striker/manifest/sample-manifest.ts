/**
 * A complete, valid manifest for pair an-anvil-01 in the numbering plan's addresses, and the
 * registered machines it binds to: the starting point of tests and the example the README shows.
 */
import type { ManifestInput } from './manifest-schema.js';
import type { RegisteredMachine } from './validate-manifest.js';

export const sampleMachines: readonly RegisteredMachine[] = [
  { mac: '52:54:00:a1:00:01', role: 'node' },
  { mac: '52:54:00:a1:00:02', role: 'node' },
  { mac: '52:54:00:a1:00:03', role: 'dr' },
];

function host(n: number, machine: string): ManifestInput['hosts']['node1'] {
  const mac = (net: number, port: number) => `52:54:00:${net}${n}:0${port}:0${n}`;
  return {
    machine,
    addresses: { bcn1: `10.201.10.${n}`, sn1: `10.101.10.${n}`, ifn1: `192.168.122.${20 + n}` },
    links: {
      bcn1: { macs: [mac(1, 1), mac(1, 2)] },
      sn1: { macs: [mac(2, 1), mac(2, 2)] },
      ifn1: { macs: [mac(3, 1), mac(3, 2)] },
    },
  };
}

export function sampleManifest(): ManifestInput {
  return {
    version: 1,
    pair: { prefix: 'an', sequence: 1, domain: 'alteeve.example', description: 'First pair' },
    networks: [
      { kind: 'bcn', index: 1, subnet: '10.201.0.0/16', mtu: 1500 },
      { kind: 'sn', index: 1, subnet: '10.101.0.0/16', mtu: 9000 },
      { kind: 'ifn', index: 1, subnet: '192.168.122.0/24', gateway: '192.168.122.1', mtu: 1500 },
    ],
    dns: ['192.168.122.1'],
    ntp: ['pool.ntp.org'],
    hosts: {
      node1: { ...host(1, '52:54:00:a1:00:01'), ipmi: { address: '10.201.11.1', username: 'admin', password: 'bmc-secret-1', parameters: { lanplus: true } }, pduOutlets: { pdu1: '1' } },
      node2: { ...host(2, '52:54:00:a1:00:02'), ipmi: { address: '10.201.11.2', username: 'admin', password: 'bmc-secret-2', parameters: { lanplus: true } }, pduOutlets: { pdu1: '2' } },
      dr: host(3, '52:54:00:a1:00:03'),
    },
    fenceDevices: [{ name: 'pdu1', agent: 'fence_apc_snmp', parameters: { ip: '10.201.2.1', username: 'apc' }, password: 'pdu-secret' }],
    upses: [{ name: 'ups1', source: 'nut', address: '10.201.3.1', upsName: 'ups1', username: 'monuser', password: 'ups-secret', powers: ['node1', 'node2', 'dr'] }],
    clusterPassword: 'cluster-secret',
  };
}
