import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { LiveFencing } from '../reconcile.js';
import { fenceDevices } from './fence-devices.js';

const crmMon = (name: string) => readFileSync(new URL(`../fixtures/crm_mon/${name}.xml`, import.meta.url), 'utf8');

/** The lab's fencing (test/support/cluster-lab README): one fence_ipmilan per node, one level each. */
const labCib: LiveFencing = {
  properties: { 'stonith-enabled': 'true' },
  devices: [1, 2].map((n) => ({
    id: `fence-node${n}`, agent: 'fence_ipmilan',
    params: { ip: '198.18.1.254', ipport: `623${n}`, username: 'admin', password: 'secret', lanplus: '1', cipher: '3', pcmk_host_list: `node${n}` },
  })),
  levels: [{ target: 'node1', index: 1, devices: ['fence-node1'] }],
  avoids: [],
};

describe('fenceDevices', () => {
  it('joins the CIB devices with where they run and their last test, without the password', () => {
    const devices = fenceDevices(labCib, crmMon('two-nodes-online'));
    expect(devices[0]).toEqual({
      id: 'fence-node1', agent: 'fence_ipmilan', target: 'node1', level: 1,
      params: { ip: '198.18.1.254', ipport: '6231', username: 'admin', lanplus: '1', cipher: '3', pcmk_host_list: 'node1' },
      runningOn: ['node2'],
      lastTest: { task: 'monitor', node: 'node2', ok: true, rc: 0, rcText: 'ok', at: 'Sun Dec  6 11:53:37 2026' },
    });
    expect(devices[1]).toMatchObject({ id: 'fence-node2', target: 'node2', runningOn: ['node1'], lastTest: { task: 'monitor', node: 'node1', at: 'Sun Dec  6 11:53:42 2026' } });
    expect(devices[1]!.level).toBeUndefined();
    expect(JSON.stringify(devices)).not.toContain('secret');
  });

  it('reports a failed test', () => {
    const failing = crmMon('two-nodes-online').replace('call="15" task="monitor" rc="0" rc_text="ok"', 'call="15" task="monitor" rc="1" rc_text="error"');
    expect(fenceDevices(labCib, failing)[1]!.lastTest).toMatchObject({ ok: false, rc: 1, rcText: 'error' });
  });

  it('has no test for a device pacemaker never ran', () => {
    const cib = { ...labCib, devices: [{ id: 'fence-node1-pdu', agent: 'fence_apc_snmp', params: { ip: '10.0.0.9', plug: '3', community: 'private' } }] };
    expect(fenceDevices(cib, crmMon('two-nodes-online'))).toEqual([{ id: 'fence-node1-pdu', agent: 'fence_apc_snmp', params: { ip: '10.0.0.9', plug: '3' }, runningOn: [] }]);
  });
});
