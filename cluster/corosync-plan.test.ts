import { describe, expect, it } from 'vitest';
import { corosyncAuthkeyBytes, generateCorosyncAuthkey, planCorosync, renderCorosyncConf } from './corosync-plan.js';
import { pairInput } from '../test/interop/cluster/pair-fixtures.js';

describe('planCorosync', () => {
  it.each([
    { networks: ['sn', 'ifn', 'mn'] as const, second: 'mn', addr: '10.199.10.1' },
    { networks: ['sn', 'ifn'] as const, second: 'sn', addr: '10.101.10.1' },
    { networks: ['ifn'] as const, second: 'ifn', addr: '10.255.10.1' },
    { networks: ['mn'] as const, second: 'mn', addr: '10.199.10.1' },
  ])('link 1 goes on $second when the pair has $networks', ({ networks, second, addr }) => {
    const plan = planCorosync(pairInput({ networks }));
    expect(plan.links).toEqual([{ number: 0, kind: 'bcn', priority: 1 }, { number: 1, kind: second, priority: 0 }]);
    expect(plan.nodes[0]).toEqual({ name: 'an-a01n01', nodeid: 1, addresses: ['10.201.10.1', addr] });
    expect(plan.nodes[1]?.nodeid).toBe(2);
  });

  it('has a single link when the pair shares only the BCN', () => {
    const plan = planCorosync(pairInput({ networks: [] }));
    expect(plan.links).toEqual([{ number: 0, kind: 'bcn', priority: 1 }]);
    expect(plan.nodes.map((n) => n.addresses)).toEqual([['10.201.10.1'], ['10.201.10.2']]);
  });
});

describe('renderCorosyncConf', () => {
  const text = renderCorosyncConf(planCorosync(pairInput()));

  it('writes knet, the cluster name, both rings per node and two_node', () => {
    expect(text).toContain('    transport: knet\n');
    expect(text).toContain('    cluster_name: an-anvil-01\n');
    expect(text).toMatch(/node \{\n {8}ring0_addr: 10\.201\.10\.1\n {8}ring1_addr: 10\.199\.10\.1\n {8}name: an-a01n01\n {8}nodeid: 1\n/);
    expect(text).toMatch(/node \{\n {8}ring0_addr: 10\.201\.10\.2\n {8}ring1_addr: 10\.199\.10\.2\n {8}name: an-a01n02\n {8}nodeid: 2\n/);
    expect(text).toContain('    two_node: 1\n');
    expect(text).not.toContain('keyfile');
  });

  it('names the key file and log file when asked', () => {
    const custom = renderCorosyncConf(planCorosync(pairInput()), { keyFile: '/tmp/k', logFile: '/tmp/c.log' });
    expect(custom).toContain('    keyfile: /tmp/k\n');
    expect(custom).toContain('    logfile: /tmp/c.log\n');
  });

  it('renders the same plan to the same text', () => {
    expect(renderCorosyncConf(planCorosync(pairInput()))).toBe(text);
  });
});

describe('generateCorosyncAuthkey', () => {
  it('makes a new 256-byte key each time', () => {
    const a = generateCorosyncAuthkey();
    const b = generateCorosyncAuthkey();
    expect(a).toHaveLength(corosyncAuthkeyBytes);
    expect(a.equals(b)).toBe(false);
  });
});
