import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CommandError } from '../../striker/core/command/command-error.js';
import type { CommandRunner } from '../../striker/core/command/run-command.js';
import { nodeJobRunners, type NodeJobContext } from './node-runners.js';

const fixture = (name: string) => readFileSync(new URL(`../fixtures/crm_mon/${name}.xml`, import.meta.url), 'utf8');

/**
 * A node of the captured lab cluster (node1) whose pcs calls change what crm_mon prints next:
 * standby flips its standby flag, cluster stop makes crm_mon fail as pacemaker does when it is not
 * running, cluster start brings it back online.
 */
function fakeNode(start: { standby?: boolean; running?: boolean; pcsIgnored?: boolean; stopLine?: string } = {}) {
  let standby = start.standby ?? false;
  let running = start.running ?? true;
  const calls: string[] = [];
  const run: CommandRunner = async (argv) => {
    const line = argv.join(' ');
    calls.push(line);
    const ok = (stdout: string) => ({ argv, exitCode: 0, stdout, stderr: '', durationMs: 1 });
    if (line === 'crm_node -n') return ok('node1\n');
    if (argv[0] === 'crm_mon') {
      if (!running) throw new CommandError({ argv, exitCode: 102, stderr: 'crm_mon: Error: cluster is not available on this node', stdout: '', failure: 'exit', reason: 'crm_mon failed' });
      const xml = fixture('two-nodes-online');
      return ok(standby ? xml.replace('name="node1" id="1" online="true" standby="false"', 'name="node1" id="1" online="true" standby="true"') : xml);
    }
    if (!start.pcsIgnored) {
      if (line.startsWith('pcs node standby')) standby = true;
      if (line.startsWith('pcs node unstandby')) standby = false;
      if (line === (start.stopLine ?? 'pcs cluster stop')) running = false;
      if (line.startsWith('pcs cluster start')) running = true;
    }
    return ok('');
  };
  return { run, calls };
}

function context(): NodeJobContext & { said: string[] } {
  const said: string[] = [];
  return {
    said,
    payload: { reason: 'operator' },
    signal: new AbortController().signal,
    progress: async (_p, message, vars) => void said.push(message.replace(/\{(\w+)\}/g, (_m, k: string) => String(vars?.[k]))),
    note: async (message) => void said.push(message),
  };
}

describe('node runners', () => {
  it('standby runs pcs on the local node and ends when crm_mon shows it in standby', async () => {
    const node = fakeNode();
    const result = await nodeJobRunners({ run: node.run, actionTimeoutMs: 120_000 })['node.standby'](context());
    expect(result).toEqual({ message: 'node1 is in standby' });
    expect(node.calls).toContain('pcs node standby --wait=110');
  });

  it('standby of a node already in standby changes nothing', async () => {
    const node = fakeNode({ standby: true });
    const result = await nodeJobRunners({ run: node.run })['node.standby'](context());
    expect(result).toEqual({ noChange: 'node1 is already in standby' });
    expect(node.calls.filter((c) => c.startsWith('pcs'))).toEqual([]);
  });

  it('unstandby takes it out of standby', async () => {
    const node = fakeNode({ standby: true });
    expect(await nodeJobRunners({ run: node.run })['node.unstandby'](context())).toEqual({ message: 'node1 is out of standby' });
  });

  it('fails when pcs returns but crm_mon does not show the change', async () => {
    const node = fakeNode({ pcsIgnored: true });
    await expect(nodeJobRunners({ run: node.run })['node.standby'](context())).rejects.toThrow('pcs node standby returned, but crm_mon still shows node1 out of standby');
  });

  it('withdraw stops the cluster stack and checks that pacemaker no longer answers', async () => {
    const node = fakeNode();
    const ctx = context();
    expect(await nodeJobRunners({ run: node.run })['node.withdraw'](ctx)).toEqual({ message: 'node1 left the cluster: corosync and pacemaker are stopped on it' });
    expect(node.calls).toContain('pcs cluster stop');
    expect(ctx.said[0]).toBe('Stopping the cluster stack on node1 (its resources stop or move first)');
  });

  it('withdraw runs the configured stop command instead of pcs cluster stop', async () => {
    const node = fakeNode({ stopLine: '/usr/local/sbin/stack-stop --graceful' });
    const runners = nodeJobRunners({ run: node.run, stopCommand: ['/usr/local/sbin/stack-stop', '--graceful'] });
    expect(await runners['node.withdraw'](context())).toEqual({ message: 'node1 left the cluster: corosync and pacemaker are stopped on it' });
    expect(node.calls).toContain('/usr/local/sbin/stack-stop --graceful');
    expect(node.calls).not.toContain('pcs cluster stop');
  });

  it('withdraw of a node whose stack is not running changes nothing', async () => {
    const node = fakeNode({ running: false });
    expect(await nodeJobRunners({ run: node.run })['node.withdraw'](context())).toEqual({ noChange: 'the cluster stack is not running on node1' });
    expect(node.calls).not.toContain('pcs cluster stop');
  });

  it('withdraw fails when pacemaker still answers after pcs cluster stop', async () => {
    const node = fakeNode({ pcsIgnored: true });
    await expect(nodeJobRunners({ run: node.run })['node.withdraw'](context())).rejects.toThrow('pacemaker still answers on node1');
  });

  it('join starts the stack and ends when the node is online; an online node changes nothing', async () => {
    const down = fakeNode({ running: false });
    expect(await nodeJobRunners({ run: down.run, pollMs: 1 })['node.join'](context())).toEqual({ message: 'node1 is online in the cluster' });
    expect(down.calls.some((c) => c.startsWith('pcs cluster start --wait='))).toBe(true);
    const up = fakeNode();
    expect(await nodeJobRunners({ run: up.run })['node.join'](context())).toEqual({ noChange: 'node1 is already online in the cluster' });
  });

  it('join fails when the node never shows online', async () => {
    const node = fakeNode({ running: false, pcsIgnored: true });
    await expect(nodeJobRunners({ run: node.run, pollMs: 1, joinWaitMs: 20 })['node.join'](context())).rejects.toThrow('did not show it online in time');
  });
});
