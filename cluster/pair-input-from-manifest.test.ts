import { describe, expect, it } from 'vitest';
import { manifestSchema, sampleManifest } from '../striker/manifest/index.js';
import { splitSecrets } from '../striker/manifest/manifest-secrets.js';
import { ValidationError } from '../striker/core/errors/index.js';
import { planCib } from './cib-plan.js';
import { planCorosync } from './corosync-plan.js';
import { pairInputFromManifest } from './pair-input-from-manifest.js';

const view = () => splitSecrets(manifestSchema.parse(sampleManifest()), () => false).view;

describe('pairInputFromManifest', () => {
  it('maps the sample manifest: names, first network of each kind, BMC, PDU outlet, delay', () => {
    const input = pairInputFromManifest(view());
    expect(input.clusterName).toBe('an-anvil-01');
    expect(input.preferredNode).toBe('an-a01n01');
    expect(input.nodes[0]).toEqual({
      name: 'an-a01n01',
      addresses: { bcn: '10.201.10.1', sn: '10.101.10.1', ifn: '192.168.122.21' },
      fence: {
        ipmi: { address: '10.201.11.1', username: 'admin', passwordRef: 'hosts.node1.ipmi' },
        pdus: [{ outlets: [{ device: 'pdu1', agent: 'fence_apc_snmp', params: { ip: '10.201.2.1', username: 'apc' }, passwordRef: 'fenceDevices.pdu1', plug: '1' }] }],
        delaySeconds: 60,
      },
    });
    expect(input.nodes[1].fence.ipmi?.passwordRef).toBe('hosts.node2.ipmi');
  });

  it('feeds the plans: link 1 on the SN when there is no MN, secrets opened by their manifest slot', () => {
    const input = pairInputFromManifest(view(), { preferred: 'node2' });
    expect(planCorosync(input).links.map((l) => l.kind)).toEqual(['bcn', 'sn']);
    const slots: Record<string, string> = { 'hosts.node1.ipmi': 'b1', 'hosts.node2.ipmi': 'b2', 'fenceDevices.pdu1': 'p' };
    const plan = planCib(input, (ref) => slots[ref] ?? '');
    expect(plan.levels.filter((l) => l.target === 'an-a01n02').map((l) => l.devices)).toEqual([['fence-an-a01n02-ipmi'], ['fence-an-a01n02-pdu1'], ['fence-an-a01n02-delay']]);
    expect(plan.devices.find((d) => d.id === 'fence-an-a01n02-ipmi')?.params['pcmk_delay_base']).toBe('15s');
  });

  it('reads the BMC port and cipher from the IPMI parameters', () => {
    const m = view();
    m.hosts.node1.ipmi!.parameters = { ipport: 6231, cipher: 17 };
    expect(pairInputFromManifest(m).nodes[0].fence.ipmi).toMatchObject({ port: 6231, cipher: 17 });
  });

  it('refuses a node with neither BMC nor PDU, naming it', () => {
    const m = view();
    delete m.hosts.node2.ipmi;
    delete m.hosts.node2.pduOutlets;
    expect(() => pairInputFromManifest(m)).toThrow(ValidationError);
    expect(() => pairInputFromManifest(m)).toThrow(/nodes\.1\.fence: needs at least one power fence method/);
  });
});
