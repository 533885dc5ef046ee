import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DecodeError } from '../../striker/core/errors/index.js';
import { parseFenceHistory } from './fence-history.js';
import { linkStatus, parseCfgtoolStatus } from './knet-links.js';

const fixture = (path: string) => readFileSync(new URL(`../fixtures/${path}`, import.meta.url), 'utf8');

describe('parseCfgtoolStatus (corosync-cfgtool -s, captured from the lab)', () => {
  it('reads both knet links and the status to each node', () => {
    expect(parseCfgtoolStatus(fixture('corosync/cfgtool-links-up.txt'))).toEqual({
      localNodeId: 2,
      transport: 'knet',
      links: [
        { linkId: 0, address: '198.18.1.2', peers: [{ nodeId: 1, status: 'connected' }, { nodeId: 2, status: 'localhost' }] },
        { linkId: 1, address: '198.18.2.2', peers: [{ nodeId: 1, status: 'connected' }, { nodeId: 2, status: 'localhost' }] },
      ],
    });
  });

  it('shows the MN link to node1 disconnected while the BCN link stays connected', () => {
    const s = parseCfgtoolStatus(fixture('corosync/cfgtool-mn-down.txt'));
    expect([linkStatus(s, 0, 1), linkStatus(s, 1, 1), linkStatus(s, 2, 1)]).toEqual(['connected', 'disconnected', 'absent']);
  });

  it.each([
    ['empty text', '', "has no 'Local node ID"],
    ['a node status before any link', 'Local node ID 2, transport knet\n\tnodeid:          1:\tconnected\n', 'node status outside a LINK ID block'],
    ['a link without an address', 'Local node ID 2, transport knet\nLINK ID 0 udp\n\tstatus:\n\t\tnodeid: 1:\tconnected\n', 'LINK ID 0 has no addr line'],
  ])('refuses %s', (_what, text, message) => {
    expect(() => parseCfgtoolStatus(text)).toThrow(DecodeError);
    expect(() => parseCfgtoolStatus(text)).toThrow(message);
  });
});

describe('parseFenceHistory (stonith_admin --history, captured from the lab)', () => {
  it('reads the reboot of node1 by node2', () => {
    expect(parseFenceHistory(fixture('crm_mon/stonith-history-node1.xml'))).toEqual([
      { target: 'node1', action: 'reboot', status: 'success', origin: 'node2', client: 'pacemaker-controld.30986', delegate: 'node2', completed: '2026-12-06 11:54:13Z' },
    ]);
  });

  it('reads a failed event with its reason', () => {
    const xml = fixture('crm_mon/stonith-history-node1.xml').replace('status="success" delegate="node2"', 'status="failed" exit-reason="No route to host"');
    expect(parseFenceHistory(xml)[0]).toMatchObject({ status: 'failed', exitReason: 'No route to host' });
  });

  it.each([
    ['truncated XML', fixture('crm_mon/stonith-history-node1.xml').slice(0, 200), 'not well-formed'],
    ['an error result', '<pacemaker-result api-version="2.25"><status code="102" message="Not connected"/></pacemaker-result>', 'code 102 Not connected'],
    ['an unknown status', fixture('crm_mon/stonith-history-node1.xml').replace('status="success"', 'status="maybe"'), "got 'maybe'"],
  ])('refuses %s', (_what, text, message) => {
    expect(() => parseFenceHistory(text)).toThrow(message);
  });
});
