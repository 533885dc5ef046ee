import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseCrmMon, type ClusterState } from './crm-mon-parser.js';
import { checkNodeAction, nodeActionCommand, type NodeAction } from './node-actions.js';

const state = (name: string) => parseCrmMon(readFileSync(new URL(`./fixtures/crm_mon/${name}.xml`, import.meta.url), 'utf8'));
const n1 = 'an-a01n01';
const n2 = 'an-a01n02';
const servers = ['srv01', 'web', 'db'];

describe('checkNodeAction', () => {
  it.each<[string, string, NodeAction, string, boolean]>([
    ['withdraw n1 while n2 is healthy', 'both-online', 'withdraw', n1, true],
    ['power off n1 while n2 is healthy', 'both-online', 'poweroff', n1, true],
    ['withdraw n1, the last node (n2 standby)', 'node2-standby', 'withdraw', n1, false],
    ['power off n1, the last node (n2 standby)', 'node2-standby', 'poweroff', n1, false],
    ['standby n1, the last node (n2 standby)', 'node2-standby', 'standby', n1, false],
    ['withdraw n2, the last node (n1 fenced)', 'node1-fenced', 'withdraw', n2, false],
    ['power off n2, the last node (n1 unclean)', 'node1-unclean', 'poweroff', n2, false],
    ['withdraw n2 in standby (runs no servers)', 'node2-standby', 'withdraw', n2, true],
    ['unstandby n2', 'node2-standby', 'unstandby', n2, true],
    ['join n1 (fenced)', 'node1-fenced', 'join', n1, true],
    ['boot n1 (fenced)', 'node1-fenced', 'boot', n1, true],
  ])('%s → %s', (_what, fixture, action, node, ok) => {
    expect(checkNodeAction({ action, node, servers, force: false }, state(fixture)).ok).toBe(ok);
  });

  it('says in plain words which servers would stop and why the peer cannot take them', () => {
    const check = checkNodeAction({ action: 'withdraw', node: n1, servers, force: false }, state('node2-standby'));
    expect(check).toEqual({
      ok: false,
      reason: `${n1} is the last node able to run servers db, srv01 and web: ${n2} cannot take them because it is in standby. Withdrawing ${n1} from the cluster would stop them. Use force to do it anyway.`,
    });
    const lost = checkNodeAction({ action: 'poweroff', node: n2, servers: ['web'], force: false }, state('node1-unclean'));
    expect(lost.ok ? '' : lost.reason).toBe(`${n2} is the last node able to run server web: ${n1} cannot take it because it is lost and not yet fenced. Powering ${n2} off would stop it. Use force to do it anyway.`);
  });

  it('goes ahead when forced, keeping the reason as a warning', () => {
    const check = checkNodeAction({ action: 'poweroff', node: n1, servers, force: true }, state('node2-standby'));
    expect(check.ok).toBe(true);
    expect(check.ok && check.warning).toMatch(/^forced: an-a01n01 is the last node able to run servers/);
  });

  it('refuses a node that is not in the cluster', () => {
    const check = checkNodeAction({ action: 'standby', node: 'an-a01n09', servers, force: true }, state('both-online'));
    expect(check).toEqual({ ok: false, reason: `an-a01n09 is not a node of this cluster (it has ${n1} and ${n2})` });
  });

  it('only counts resources that are servers', () => {
    const s: ClusterState = state('node2-standby');
    expect(checkNodeAction({ action: 'withdraw', node: n1, servers: [], force: false }, s).ok).toBe(true);
  });
});

describe('nodeActionCommand', () => {
  const ipmi = { address: '10.201.11.1', username: 'admin', passwordRef: 'x' };
  it('powers off through the BMC with the password in the environment only', () => {
    const c = nodeActionCommand('poweroff', n1, { ipmi, password: 's3cret' });
    expect(c.argv).toEqual(['ipmitool', '-I', 'lanplus', '-C', '3', '-H', '10.201.11.1', '-p', '623', '-U', 'admin', '-E', 'chassis', 'power', 'off']);
    expect(c.argv.join(' ')).not.toContain('s3cret');
    expect(c.env).toEqual({ IPMI_PASSWORD: 's3cret' });
  });
  it('boots with chassis power on, standby through pcs, withdraw on the node itself', () => {
    const boot = nodeActionCommand('boot', n1, { ipmi: { ...ipmi, port: 6231 }, password: 'p' }).argv;
    expect(boot.slice(-3)).toEqual(['chassis', 'power', 'on']);
    expect(boot).toContain('6231');
    expect(nodeActionCommand('standby', n1)).toEqual({ argv: ['pcs', 'node', 'standby', n1], runsOn: 'anywhere' });
    expect(nodeActionCommand('withdraw', n1)).toEqual({ argv: ['pcs', 'cluster', 'stop'], runsOn: 'node' });
  });
  it('refuses power actions without a BMC', () => {
    expect(() => nodeActionCommand('boot', n1)).toThrow(`${n1} has no IPMI BMC in its fence methods: it cannot be booted remotely`);
  });
});
