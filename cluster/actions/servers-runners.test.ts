import { describe, expect, it } from 'vitest';
import type { CommandOptions, CommandResult } from '../../striker/core/command/run-command.js';
import { CommandError } from '../../striker/core/command/command-error.js';
import { serversRunners, type ActionContext } from './servers-runners.js';

type Placement = Record<string, { on: string[]; failed?: boolean }>;

/** crm_mon --output-as=xml for two online nodes and Dummy resources placed as given. */
function crmMon(placed: Placement, nodes: Record<string, { standby?: boolean; online?: boolean }> = { node1: {}, node2: {} }): string {
  const nodeXml = Object.entries(nodes)
    .map(([name, n], i) => `<node name="${name}" id="${i + 1}" online="${n.online ?? true}" standby="${n.standby ?? false}" standby_onfail="false" maintenance="false" pending="false" unclean="false" shutdown="false" expected_up="true" is_dc="${i === 0}" resources_running="0" type="member"/>`)
    .join('');
  const res = Object.entries(placed)
    .map(([id, p]) => `<resource id="${id}" resource_agent="ocf:pacemaker:Dummy" role="${p.on.length > 0 ? 'Started' : 'Stopped'}" active="${p.on.length > 0}" orphaned="false" blocked="false" managed="true" failed="${p.failed ?? false}" failure_ignored="false" nodes_running_on="${p.on.length}">${p.on.map((n) => `<node name="${n}" id="1" cached="true"/>`).join('')}</resource>`)
    .join('');
  return `<pacemaker-result api-version="2.25" request="crm_mon"><summary><current_dc present="true" name="node1" id="1" with_quorum="true"/><cluster_options stonith-enabled="true" maintenance-mode="false"/></summary><nodes>${nodeXml}</nodes><resources>${res}</resources><status code="0" message="OK"/></pacemaker-result>`;
}

/** A CIB whose fencing gives each node one IPMI level, the split-brain delay on node1's. */
const CIB = `<cib><configuration><crm_config/><resources>
<primitive id="fence-node1-ipmi" class="stonith" type="fence_ipmilan"><instance_attributes id="a1"><nvpair id="a1-d" name="pcmk_delay_base" value="15s"/></instance_attributes></primitive>
<primitive id="fence-node2-ipmi" class="stonith" type="fence_ipmilan"/>
</resources><constraints/><fencing-topology>
<fencing-level id="l1" target="node1" index="1" devices="fence-node1-ipmi"/><fencing-level id="l2" target="node2" index="1" devices="fence-node2-ipmi"/>
</fencing-topology></configuration><status/></cib>`;

/** A fake command runner: records argv; crm_mon answers the states in turn (the last repeats), cibadmin --query the CIB. */
function fakeCluster(states: string[], fail: (argv: readonly string[]) => boolean = () => false, cib = CIB) {
  const calls: string[][] = [];
  let i = 0;
  const run = async (argv: readonly string[], _o: CommandOptions): Promise<CommandResult> => {
    calls.push([...argv]);
    if (fail(argv)) throw new CommandError({ argv, exitCode: 1, stderr: 'Error performing operation: No such device or address', stdout: '', failure: 'exit', reason: 'exit code 1' });
    if (argv[0] === 'crm_mon') {
      const out = states[Math.min(i, states.length - 1)]!;
      i++;
      return { argv, exitCode: 0, stdout: out, stderr: '', durationMs: 1 };
    }
    if (argv[0] === 'cibadmin') return { argv, exitCode: 0, stdout: cib, stderr: '', durationMs: 1 };
    return { argv, exitCode: 0, stdout: '', stderr: '', durationMs: 1 };
  };
  let t = 0;
  const runners = serversRunners({ run, commandTimeoutMs: 1000, settleTimeoutMs: 10_000, pollMs: 1000, sleep: async (ms) => void (t += ms), now: () => t });
  return { calls, runners, changes: () => calls.filter((c) => c[0] !== 'crm_mon' && c[0] !== 'cibadmin') };
}

function ctx<P>(payload: P): ActionContext<P> & { notes: string[] } {
  const notes: string[] = [];
  return { payload, signal: new AbortController().signal, notes, progress: async () => {}, note: async (m) => void notes.push(m) };
}

describe('servers.migrate', () => {
  it('moves each server with crm_resource --move, waits in crm_mon, then clears the constraint', async () => {
    const f = fakeCluster([
      crmMon({ srv1: { on: ['node1'] }, srv2: { on: ['node1'] } }),
      crmMon({ srv1: { on: ['node2'] }, srv2: { on: ['node1'] } }),
      crmMon({ srv1: { on: ['node2'] }, srv2: { on: ['node2'] } }),
    ]);
    const result = await f.runners['servers.migrate'](ctx({ servers: ['srv1', 'srv2'], to: 'node2' }));
    expect(result).toEqual({ message: 'Moved srv1 and srv2 to node2; the split-brain preference moved to node2' });
    expect(f.changes()).toEqual([
      ['crm_resource', '--resource', 'srv1', '--move', '--node', 'node2'],
      ['crm_resource', '--resource', 'srv2', '--move', '--node', 'node2'],
      ['crm_resource', '--resource', 'srv1', '--clear', '--node', 'node2'],
      ['crm_resource', '--resource', 'srv2', '--clear', '--node', 'node2'],
      // The preference follows the servers: the delay onto node2's first device, off node1's.
      ['pcs', 'stonith', 'update', 'fence-node2-ipmi', 'pcmk_delay_base=15s'],
      ['pcs', 'stonith', 'update', 'fence-node1-ipmi', 'pcmk_delay_base='],
    ]);
    expect(f.calls.filter((c) => c[0] === 'crm_mon')[0]).toEqual(['crm_mon', '--output-as=xml', '--one-shot', '--inactive']);
  });

  it('still succeeds when the preference cannot move, saying so in a warning', async () => {
    const f = fakeCluster([crmMon({ srv1: { on: ['node1'] } }), crmMon({ srv1: { on: ['node2'] } })], (argv) => argv[0] === 'pcs');
    const c = ctx({ servers: ['srv1'], to: 'node2' });
    expect(await f.runners['servers.migrate'](c)).toEqual({ message: "Moved srv1 to node2; the split-brain preference could not move to node2 (see the job's messages)" });
    expect(c.notes).toEqual(['The servers moved, but the split-brain preference could not move to {to}: {error}']);
  });

  it('changes nothing when the servers already run on the target', async () => {
    const f = fakeCluster([crmMon({ srv1: { on: ['node2'] } })]);
    expect(await f.runners['servers.migrate'](ctx({ servers: ['srv1'], to: 'node2' }))).toEqual({ noChange: 'srv1 already runs on node2' });
    expect(f.changes()).toEqual([]);
  });

  it('refuses a server the cluster does not have, and a target that cannot host', async () => {
    const f = fakeCluster([crmMon({ srv1: { on: ['node1'] } }, { node1: {}, node2: { standby: true } })]);
    await expect(f.runners['servers.migrate'](ctx({ servers: ['srv9'], to: 'node2' }))).rejects.toThrow('the cluster has no resource srv9');
    await expect(f.runners['servers.migrate'](ctx({ servers: ['srv1'], to: 'node2' }))).rejects.toThrow('node2 cannot take servers now');
    await expect(f.runners['servers.migrate'](ctx({ servers: ['srv1'], to: 'node3' }))).rejects.toThrow('node3 is not a node of this cluster (it has node1 and node2)');
    expect(f.changes()).toEqual([]);
  });

  it('fails with what it waited for when the move does not finish in time, and still clears the constraint', async () => {
    const f = fakeCluster([crmMon({ srv1: { on: ['node1'] } })]);
    await expect(f.runners['servers.migrate'](ctx({ servers: ['srv1'], to: 'node2' }))).rejects.toThrow('moving srv1 to node2: not done after 10 s — srv1 on node1');
    expect(f.changes().at(-1)).toEqual(['crm_resource', '--resource', 'srv1', '--clear', '--node', 'node2']);
  });

  it('fails when the resource fails on the way', async () => {
    const f = fakeCluster([crmMon({ srv1: { on: ['node1'] } }), crmMon({ srv1: { on: ['node2'], failed: true } })]);
    await expect(f.runners['servers.migrate'](ctx({ servers: ['srv1'], to: 'node2' }))).rejects.toThrow('moving srv1 to node2: srv1 failed');
  });

  it('fails when a server goes back once the constraint is cleared', async () => {
    const f = fakeCluster([crmMon({ srv1: { on: ['node1'] } }), crmMon({ srv1: { on: ['node2'] } }), crmMon({ srv1: { on: ['node1'] } })]);
    await expect(f.runners['servers.migrate'](ctx({ servers: ['srv1'], to: 'node2' }))).rejects.toThrow('srv1 left node2 once the move constraint was cleared');
  });

  it('fails honestly when crm_resource refuses, clearing what it already moved', async () => {
    const f = fakeCluster([crmMon({ srv1: { on: ['node1'] }, srv2: { on: ['node1'] } })], (argv) => argv[2] === 'srv2' && argv[3] === '--move');
    await expect(f.runners['servers.migrate'](ctx({ servers: ['srv1', 'srv2'], to: 'node2' }))).rejects.toThrow();
    expect(f.changes()).toEqual([
      ['crm_resource', '--resource', 'srv1', '--move', '--node', 'node2'],
      ['crm_resource', '--resource', 'srv2', '--move', '--node', 'node2'],
      ['crm_resource', '--resource', 'srv1', '--clear', '--node', 'node2'],
    ]);
  });
});

describe('servers.stop and servers.start', () => {
  it('stops through target-role and waits until crm_mon shows them stopped', async () => {
    const f = fakeCluster([crmMon({ srv1: { on: ['node1'] }, srv2: { on: ['node2'] } }), crmMon({ srv1: { on: [] }, srv2: { on: ['node2'] } }), crmMon({ srv1: { on: [] }, srv2: { on: [] } })]);
    expect(await f.runners['servers.stop'](ctx({ servers: ['srv1', 'srv2'] }))).toEqual({ message: 'Stopped srv1 and srv2' });
    expect(f.changes()).toEqual([
      ['crm_resource', '--resource', 'srv1', '--meta', '--set-parameter', 'target-role', '--parameter-value', 'Stopped'],
      ['crm_resource', '--resource', 'srv2', '--meta', '--set-parameter', 'target-role', '--parameter-value', 'Stopped'],
    ]);
  });

  it('fails with the servers still running when the stop does not finish in time', async () => {
    const f = fakeCluster([crmMon({ srv1: { on: ['node1'] } })]);
    await expect(f.runners['servers.stop'](ctx({ servers: ['srv1'] }))).rejects.toThrow('stopping srv1: not done after 10 s — srv1 still running');
  });

  it('starts only what is stopped', async () => {
    const f = fakeCluster([crmMon({ srv1: { on: [] }, srv2: { on: ['node2'] } }), crmMon({ srv1: { on: ['node1'] }, srv2: { on: ['node2'] } })]);
    expect(await f.runners['servers.start'](ctx({ servers: ['srv1', 'srv2'] }))).toEqual({ message: 'Started srv1' });
    expect(f.changes()).toEqual([['crm_resource', '--resource', 'srv1', '--meta', '--set-parameter', 'target-role', '--parameter-value', 'Started']]);
  });

  it('acts only once the cluster has a DC with quorum (a node just booted may not have joined yet)', async () => {
    const forming = crmMon({ srv1: { on: [] } }).replace('<current_dc present="true" name="node1" id="1" with_quorum="true"/>', '<current_dc present="false"/>');
    const f = fakeCluster([forming, forming, crmMon({ srv1: { on: [] } }), crmMon({ srv1: { on: ['node1'] } })]);
    expect(await f.runners['servers.start'](ctx({ servers: ['srv1'] }))).toEqual({ message: 'Started srv1' });
    // Two looks without a DC, then the change, then the look that shows it running.
    expect(f.calls.map((c) => c[0])).toEqual(['crm_mon', 'crm_mon', 'crm_mon', 'crm_resource', 'crm_mon']);
  });

  it('fails saying the cluster is still forming when no DC with quorum appears in time', async () => {
    const noQuorum = crmMon({ srv1: { on: [] } }).replace('with_quorum="true"', 'with_quorum="false"');
    const f = fakeCluster([noQuorum]);
    await expect(f.runners['servers.start'](ctx({ servers: ['srv1'] }))).rejects.toThrow('waiting for the cluster to start srv1: not done after 10 s — no DC with quorum yet (the cluster is still forming)');
    expect(f.changes()).toEqual([]);
  });

  it('an empty list changes nothing', async () => {
    const f = fakeCluster([crmMon({})]);
    expect(await f.runners['servers.stop'](ctx({ servers: [] }))).toEqual({ noChange: 'no servers to stop' });
    expect(f.calls).toEqual([]);
  });

  it('treats unreadable crm_mon output as not yet, and names it when time runs out', async () => {
    const f = fakeCluster([crmMon({ srv1: { on: ['node1'] } }), '<pacemaker-result><summary>']);
    await expect(f.runners['servers.stop'](ctx({ servers: ['srv1'] }))).rejects.toThrow(/stopping srv1: not done after 10 s — crm_mon: /);
  });
});
