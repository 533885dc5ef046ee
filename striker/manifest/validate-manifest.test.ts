import { describe, expect, it } from 'vitest';
import { sampleMachines, sampleManifest } from './sample-manifest.js';
import { otherPair, twentyProblems } from '../../test/support/manifest-fixtures.js';
import { validateManifest, validateStep, type FenceParameterCheck, type ValidationContext } from './validate-manifest.js';

/** Refuses parameters outside a short list, as the real check does from the agent's metadata. */
const knownParameters: FenceParameterCheck = (agent, params) =>
  Object.keys(params)
    .filter((k) => !['ip', 'username', 'lanplus', 'ipport', 'cipher', 'community'].includes(k))
    .map((k) => ({ path: k, message: `is not a parameter of ${agent}` }));

const context = (over: Partial<ValidationContext> = {}): ValidationContext => ({
  machines: [...sampleMachines, { mac: '52:54:00:a1:00:04', role: 'node' }],
  others: [{ id: '00000000-0000-4000-8000-000000000001', name: 'xy-anvil-01', document: otherPair(1) }],
  storedSecrets: new Set(),
  fenceParameters: knownParameters,
  ...over,
});

describe('validateManifest', () => {
  it('accepts the sample', () => {
    const result = validateManifest(sampleManifest(), context({ others: [] }));
    expect(result.problems).toEqual([]);
    expect(result.ok).toBe(true);
  });

  it('reports all twenty problems of one manifest at once, each with its key path', () => {
    const result = validateManifest(twentyProblems(), context());
    expect(result.ok).toBe(false);
    const byPath = result.problems.map((p) => `${p.path}: ${p.message}`).sort();
    expect(byPath).toHaveLength(20);
    const expected: [string, RegExp][] = [
      ['clusterPassword', /no password is stored to keep/],
      ['fenceDevices.0.parameters.bogus', /is not a parameter of fence_apc_snmp/],
      ['fenceDevices.1.name', /pdu1 is already fenceDevices.0/],
      ['hosts.dr.addresses.ifn1', /needs an address on ifn1/],
      ['hosts.dr.machine', /registered as a node; dr needs a machine with the role dr/],
      ['hosts.node1.addresses.bcn1', /must be a host address inside bcn1 10.201.0.0\/16 — got '10.202.10.1'/],
      ['hosts.node1.ipmi.address', /must be an IPv4 address/],
      ['hosts.node1.links.sn1', /needs a link on sn1/],
      ['hosts.node1.pduOutlets.pdu9', /no fence device pdu9/],
      ['hosts.node2.addresses.sn1', /10.101.10.1 is already the sn1 address of node1/],
      ['hosts.node2.ipmi', /needs a fence method: IPMI, or an outlet on a PDU/],
      ['hosts.node2.machine', /no registered machine has MAC 52:54:00:a1:00:99/],
      ['networks.0.gateway', /only an IFN has a gateway — bcn1 is a BCN/],
      ['networks.1.mtu', /must be at least 1280/],
      ['networks.2.subnet', /overlaps bcn1 \(10.201.0.0\/16\)/],
      ['pair.prefix', /must be 1 to 5 letters/],
      ['pair.sequence', /pair 1 is already xy-anvil-01/],
      ['upses', /no UPS powers node2/],
      ['upses', /no UPS powers dr/],
      ['upses.0.source', /must be nut or snmp/],
    ];
    for (const [path, message] of expected) {
      expect(result.problems.filter((p) => p.path === path && message.test(p.message)), `${path} ${String(message)} in\n${byPath.join('\n')}`).toHaveLength(1);
    }
  });

  it("takes a NUT UPS's upsd port from 1 to 65535 (absent: NUT's 3493), naming the field otherwise", () => {
    const withPort = (port: unknown) => ({ ...sampleManifest(), upses: sampleManifest().upses!.map((u) => ({ ...u, port })) });
    expect(validateManifest(withPort(3500), context({ others: [] })).problems).toEqual([]);
    for (const bad of [0, 65536, 34.5, '3493']) {
      const problems = validateManifest(withPort(bad), context({ others: [] })).problems;
      expect(problems, String(bad)).toEqual([expect.objectContaining({ path: 'upses.0.port', message: expect.stringMatching(/must be a TCP port from 1 to 65535/) })]);
    }
  });

  it('keeps a stored secret only where one is stored, and requires the cluster password', () => {
    const keep = { ...sampleManifest(), clusterPassword: { set: true } };
    expect(validateManifest(keep, context({ others: [], storedSecrets: new Set(['clusterPassword']) })).ok).toBe(true);
    expect(validateManifest(keep, context({ others: [], storedSecrets: undefined })).ok).toBe(true);
    const none = validateManifest({ ...sampleManifest(), clusterPassword: { set: false } }, context({ others: [] }));
    expect(none.problems).toEqual([{ path: 'clusterPassword', message: 'is required: type the password' }]);
  });

  it('needs an SN or IFN the DR host shares with both nodes', () => {
    const m = sampleManifest();
    m.networks = [m.networks[0]!, { kind: 'mn', index: 1, subnet: '10.199.0.0/16', mtu: 1500 }];
    for (const key of ['node1', 'node2', 'dr'] as const) {
      const h = m.hosts[key]!;
      const n = key === 'dr' ? 3 : Number(key.slice(-1));
      h.addresses = { bcn1: `10.201.10.${n}`, mn1: `10.199.10.${n}` };
      h.links = { bcn1: h.links.bcn1!, mn1: h.links.sn1! };
    }
    const result = validateManifest(m, context({ others: [] }));
    expect(result.problems).toEqual([{ path: 'hosts.dr.addresses', message: expect.stringMatching(/SN or IFN that both nodes are on/) as string }]);
  });

  it('refuses an address another stored pair uses, and a machine bound twice', () => {
    const m = sampleManifest();
    m.hosts.node2.addresses.bcn1 = '10.201.90.1';
    m.hosts.dr!.machine = m.hosts.node1.machine;
    const result = validateManifest(m, context({ machines: [...sampleMachines], others: [{ id: 'x', name: 'xy-anvil-02', document: otherPair(2) }] }));
    expect(result.problems).toEqual([
      { path: 'hosts.node2.addresses.bcn1', message: '10.201.90.1 is already xy-a02n01 in xy-anvil-02: addresses are unique across the site' },
      { path: 'hosts.dr.machine', message: '52:54:00:a1:00:01 is registered as a node; dr needs a machine with the role dr' },
      { path: 'hosts.dr.machine', message: '52:54:00:a1:00:01 is already node1: one machine per host' },
    ]);
  });

  it('checks IPMI parameters through the injected check, under the host', () => {
    const m = sampleManifest();
    m.hosts.node1.ipmi!.parameters = { lanplus: true, bogus: 1 };
    const result = validateManifest(m, context({ others: [] }));
    expect(result.problems).toEqual([{ path: 'hosts.node1.ipmi.parameters.bogus', message: 'is not a parameter of fence_ipmilan' }]);
  });

  it('refuses a document that is not an object, in one problem', () => {
    for (const input of [null, 'manifest', 42, []]) {
      const result = validateManifest(input, context());
      expect(result.ok).toBe(false);
      expect(result.problems).toHaveLength(1);
      expect(result.problems[0]!.path).toBe('');
    }
  });
});

describe('validateStep', () => {
  it('returns only the problems of its step, for a document filled in up to that step', () => {
    const partial = { version: 1, pair: { prefix: 'an', sequence: 1, domain: 'bad domain' }, clusterPassword: 'secret', networks: [{ kind: 'bcn', index: 1, subnet: '10.201.0.1/16' }] };
    expect(validateStep('pair', partial, context({ others: [] }))).toEqual([{ path: 'pair.domain', message: expect.stringMatching(/must be a domain/) as string }]);
    expect(validateStep('networks', partial, context({ others: [] }))).toEqual([{ path: 'networks.0.subnet', message: expect.stringMatching(/no host bits \(the network is 10.201.0.0\/16\)/) as string }]);
    expect(validateStep('power', partial, context({ others: [] }))).toEqual([]);
  });

  it('puts IPMI and outlet problems in the fencing step, addresses in the hosts step', () => {
    const errors = validateStep('fencing', twentyProblems(), context()).map((p) => p.path).sort();
    expect(errors).toEqual(['fenceDevices.0.parameters.bogus', 'fenceDevices.1.name', 'hosts.node1.ipmi.address', 'hosts.node1.pduOutlets.pdu9', 'hosts.node2.ipmi']);
    const hosts = validateStep('hosts', twentyProblems(), context()).map((p) => p.path);
    expect(hosts).toContain('hosts.node2.machine');
    expect(hosts).not.toContain('hosts.node2.ipmi');
  });
});
