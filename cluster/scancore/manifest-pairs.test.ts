import { describe, expect, it } from 'vitest';
import { manifestViewSchema, sampleManifest } from '../../striker/manifest/index.js';
import { mergePairs, pairFromManifest } from './manifest-pairs.js';
import type { ScancorePair } from './scancore-config.js';

/** The sample manifest as Striker stores it (secrets only `{ set }`), with a second, SNMP UPS and BMC parameters. */
function storedSample() {
  const m = sampleManifest() as Record<string, unknown> & { hosts: { node1: { ipmi: { parameters: Record<string, unknown> } } }; upses: unknown[] };
  m.hosts.node1.ipmi.parameters = { lanplus: true, ipport: 6231, cipher: 3 };
  m.upses = [...m.upses, { name: 'ups2', source: 'snmp', address: '10.201.3.2', powers: ['node2'] }, { name: 'ups3', source: 'nut', address: '127.0.0.1', port: 34931, powers: ['node2'] }];
  const text = JSON.stringify(m).replace(/"password":"[^"]*"/g, '"password":{"set":true}').replace(/"clusterPassword":"[^"]*"/, '"clusterPassword":{"set":true}');
  return manifestViewSchema.parse(JSON.parse(text));
}

describe('pairs from the manifest', () => {
  it('names, host ids, BMCs with their secret and parameters, and the NUT UPSes feeding the nodes', () => {
    const secrets = new Map([['hosts.node1.ipmi', 'bmc-secret-1'], ['hosts.node2.ipmi', 'bmc-secret-2']]);
    const pair = pairFromManifest(storedSample(), (slot) => secrets.get(slot));
    expect(pair).toEqual({
      id: 'an-anvil-01',
      nodes: [
        { name: 'an-a01n01', hostId: '52-54-00-a1-00-01', ipmi: { address: '10.201.11.1', username: 'admin', password: 'bmc-secret-1', port: 6231, cipher: 3 } },
        { name: 'an-a01n02', hostId: '52-54-00-a1-00-02', ipmi: { address: '10.201.11.2', username: 'admin', password: 'bmc-secret-2' } },
      ],
      // ups2 is SNMP: not read through upsc. The DR host fed by ups1 is not a node of the pair.
      // ups3's upsd answers on its own port (absent: NUT's 3493, as upsc assumes).
      upses: [
        { name: 'ups1', upsName: 'ups1', address: '10.201.3.1', feeds: ['an-a01n01', 'an-a01n02'] },
        { name: 'ups3', upsName: 'ups3', address: '127.0.0.1', port: 34931, feeds: ['an-a01n02'] },
      ],
    });
  });

  it('a BMC whose password is not stored is left out (it could not be read)', () => {
    const pair = pairFromManifest(storedSample(), () => undefined);
    expect(pair.nodes.map((n) => n.ipmi)).toEqual([undefined, undefined]);
  });

  it('a configured pair wins over the manifest pair with its id', () => {
    const fromManifest = pairFromManifest(storedSample(), () => undefined);
    const configured: ScancorePair = { ...fromManifest, upses: [] };
    const other: ScancorePair = { ...fromManifest, id: 'an-anvil-02' };
    expect(mergePairs([configured], [fromManifest, other])).toEqual([configured, other]);
  });
});
