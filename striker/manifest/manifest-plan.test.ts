import { describe, expect, it } from 'vitest';
import { manifestPlan } from './manifest-plan.js';
import { manifestViewSchema, type ManifestView } from './manifest-schema.js';
import { sampleManifest } from './sample-manifest.js';

/** The sample as stored: secrets as { set }. */
function stored(): ManifestView {
  const m = structuredClone(sampleManifest()) as Record<string, unknown> & ReturnType<typeof sampleManifest>;
  m.clusterPassword = { set: true };
  m.hosts.node1.ipmi!.password = { set: true };
  m.hosts.node2.ipmi!.password = { set: true };
  m.fenceDevices![0]!.password = { set: true };
  m.upses![0]!.password = { set: false };
  return manifestViewSchema.parse(m);
}

describe('manifestPlan', () => {
  it('names the pair and its hosts, and lists each host address per network with its link', () => {
    const plan = manifestPlan(stored());
    expect(plan.anvil).toBe('an-anvil-01');
    expect(plan.hosts.map((h) => [h.key, h.name, h.fqdn])).toEqual([
      ['node1', 'an-a01n01', 'an-a01n01.alteeve.example'],
      ['node2', 'an-a01n02', 'an-a01n02.alteeve.example'],
      ['dr', 'an-a01dr01', 'an-a01dr01.alteeve.example'],
    ]);
    expect(plan.hosts[1]!.addresses).toEqual([
      { network: 'bcn1', cidr: '10.201.10.2/16', address: '10.201.10.2', macs: ['52:54:00:12:01:02', '52:54:00:12:02:02'], bond: true },
      { network: 'sn1', cidr: '10.101.10.2/16', address: '10.101.10.2', macs: ['52:54:00:22:01:02', '52:54:00:22:02:02'], bond: true },
      { network: 'ifn1', cidr: '192.168.122.22/24', address: '192.168.122.22', macs: ['52:54:00:32:01:02', '52:54:00:32:02:02'], bond: true },
    ]);
    expect(plan.networks.map((n) => n.key)).toEqual(['bcn1', 'sn1', 'ifn1']);
  });

  it('orders each node’s fence levels IPMI → PDU outlets → delay, and leaves the DR host out', () => {
    const m = stored();
    m.fenceDevices.push({ name: 'pdu2', agent: 'fence_apc_snmp', parameters: { ip: '10.201.2.2' } });
    m.hosts.node1.pduOutlets = { pdu1: '1', pdu2: '1' };
    delete m.hosts.node2.ipmi;
    const plan = manifestPlan(m);
    expect(plan.fencing).toEqual([
      {
        host: 'node1',
        name: 'an-a01n01',
        levels: [
          { level: 1, method: 'ipmi', agent: 'fence_ipmilan', address: '10.201.11.1', username: 'admin' },
          { level: 2, method: 'pdu', outlets: [{ device: 'pdu1', agent: 'fence_apc_snmp', plug: '1' }, { device: 'pdu2', agent: 'fence_apc_snmp', plug: '1' }] },
          { level: 3, method: 'delay', agent: 'fence_delay' },
        ],
      },
      {
        host: 'node2',
        name: 'an-a01n02',
        levels: [
          { level: 1, method: 'pdu', outlets: [{ device: 'pdu1', agent: 'fence_apc_snmp', plug: '2' }] },
          { level: 2, method: 'delay', agent: 'fence_delay' },
        ],
      },
    ]);
  });

  it('maps UPSes to the hosts they power, both ways', () => {
    const m = stored();
    m.upses.push({ name: 'ups2', source: 'snmp', address: '10.201.3.2', powers: ['node2'] });
    const plan = manifestPlan(m);
    expect(plan.upses.map((u) => [u.name, u.powers.map((p) => p.name)])).toEqual([
      ['ups1', ['an-a01n01', 'an-a01n02', 'an-a01dr01']],
      ['ups2', ['an-a01n02']],
    ]);
    expect(plan.hosts.map((h) => h.upses)).toEqual([['ups1'], ['ups1', 'ups2'], ['ups1']]);
  });
});
