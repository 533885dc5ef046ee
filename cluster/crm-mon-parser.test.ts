import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DecodeError } from '../striker/core/errors/index.js';
import { nodesRunning, parseCrmMon, type ClusterState } from './crm-mon-parser.js';

/** Fixtures written by test/interop/cluster/make-crm-mon-fixtures.sh from real crm_mon output. */
const fixture = (name: string) => readFileSync(new URL(`./fixtures/crm_mon/${name}.xml`, import.meta.url), 'utf8');
const n1 = 'an-a01n01';
const n2 = 'an-a01n02';

function nodeFlags(state: ClusterState) {
  return Object.fromEntries(state.nodes.map((n) => [n.name, { online: n.online, standby: n.standby, unclean: n.unclean }]));
}

describe('parseCrmMon on real crm_mon output', () => {
  it('both nodes online: every resource, group member and clone instance where it runs', () => {
    const s = parseCrmMon(fixture('both-online'));
    expect(s.stonithEnabled).toBe(true);
    expect(nodeFlags(s)).toEqual({ [n1]: { online: true, standby: false, unclean: false }, [n2]: { online: true, standby: false, unclean: false } });
    expect(nodesRunning(s, 'srv01')).toEqual([n1]);
    expect(nodesRunning(s, `fence-${n1}-ipmi`)).toEqual([n2]);
    expect(s.resources.filter((r) => r.group === 'app').map((r) => [r.id, r.nodes])).toEqual([['web', [n2]], ['db', [n2]]]);
    expect(s.resources.filter((r) => r.clone === 'ping-clone').flatMap((r) => r.nodes).sort()).toEqual([n1, n2]);
    expect(s.resources.find((r) => r.id === 'srv01')).toMatchObject({ agent: 'ocf:heartbeat:Dummy', role: 'Started', active: true, failed: false });
    expect(s.failedActions).toEqual([]);
    expect(s.fenceHistory).toEqual([]);
  });

  it('node1 fenced: offline and clean, its resources on node2', () => {
    const s = parseCrmMon(fixture('node1-fenced'));
    expect(nodeFlags(s)[n1]).toEqual({ online: false, standby: false, unclean: false });
    expect(nodesRunning(s, 'srv01')).toEqual([n2]);
    expect(s.resources.filter((r) => r.clone === 'ping-clone').flatMap((r) => r.nodes)).toEqual([n2]);
  });

  it('node1 lost and not yet fenced: unclean', () => {
    const s = parseCrmMon(fixture('node1-unclean'));
    expect(nodeFlags(s)[n1]).toEqual({ online: false, standby: false, unclean: true });
  });

  it('node2 in standby, its resources on node1', () => {
    const s = parseCrmMon(fixture('node2-standby'));
    expect(nodeFlags(s)[n2]).toEqual({ online: true, standby: true, unclean: false });
    expect(nodesRunning(s, 'web')).toEqual([n1]);
  });

  it('a failed monitor is a failed action, and the resource moved', () => {
    const s = parseCrmMon(fixture('srv01-failed'));
    expect(s.failedActions).toEqual([{
      opKey: 'srv01_monitor_10000', node: n1, task: 'monitor', exitCode: 7, exitStatus: 'not running',
      exitReason: 'Simulated action result', interval: 10000, lastRcChange: expect.any(String),
    }]);
    expect(nodesRunning(s, 'srv01')).toEqual([n2]);
  });

  it('reads the fencing history (elements as in pacemaker\'s fence-event-2.15.rng)', () => {
    const text = fixture('node1-fenced').replace('<status code="0"', `<fence_history>
    <fence_event action="reboot" target="${n1}" client="pacemaker-controld.1234" origin="${n2}" delegate="${n2}" status="success" completed="2026-12-06 11:26:15Z"/>
    <fence_event action="off" target="${n1}" client="stonith_admin.99" origin="${n2}" status="failed" exit-reason="No route to host"/>
  </fence_history>
  <status code="0"`);
    expect(parseCrmMon(text).fenceHistory).toEqual([
      { target: n1, action: 'reboot', status: 'success', origin: n2, client: 'pacemaker-controld.1234', delegate: n2, completed: '2026-12-06 11:26:15Z' },
      { target: n1, action: 'off', status: 'failed', origin: n2, client: 'stonith_admin.99', exitReason: 'No route to host' },
    ]);
  });
});

describe('parseCrmMon refuses what it cannot read for certain', () => {
  const good = fixture('both-online');
  it.each<[string, string, RegExp]>([
    ['truncated output', good.slice(0, Math.floor(good.length / 2)), /not well-formed XML/],
    ['cut before the status', good.replace(/ {2}<status code="0" message="OK"\/>\n<\/pacemaker-result>\n?$/, '</pacemaker-result>\n'), /no <status>/],
    ['empty output', '', /not well-formed XML/],
    ['another document', '<cib/>', /root element must be <pacemaker-result>/],
    ['an error result', good.replace('<status code="0" message="OK"/>', '<status code="102" message="Not connected"/>'), /code 102 Not connected/],
    ['a node without a name', good.replace(`<node name="${n1}" id="1" online`, '<node id="1" online'), /<node 1> has no name attribute/],
    ['an unreadable flag', good.replace('online="true"', 'online="yes"'), /online must be true or false — got 'yes'/],
    ['no nodes', good.replace(/<nodes>[\s\S]*?<\/nodes>/, ''), /has no <nodes>/],
    ['a resource without its agent', good.replace(/resource_agent="ocf:heartbeat:Dummy" /, ''), /has no resource_agent attribute/],
  ])('%s', (_what, text, message) => {
    expect(() => parseCrmMon(text)).toThrow(DecodeError);
    expect(() => parseCrmMon(text)).toThrow(message);
  });
});
