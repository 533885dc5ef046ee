import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../striker/core/errors/index.js';
import { renderDrbdResource, type DrbdResourceInput } from './drbd-resource.js';

const pair: DrbdResourceInput = {
  name: 'srv01', minor: 3, port: 7797, disk: '/dev/vg0/srv01',
  nodes: [{ name: 'an-a01n01', address: '10.101.10.1' }, { name: 'an-a01n02', address: '10.101.10.2' }],
};

/** The text of each `connection { … }` block, in order. */
const connections = (text: string) => [...text.matchAll(/ {4}connection \{\n([\s\S]*?)\n {4}\}/g)].map((m) => m[1]!.replace(/\s+/g, ' ').trim());

describe('renderDrbdResource', () => {
  it.each([
    ['pair', undefined, [
      'host an-a01n01 address ipv4 10.101.10.1:7797; host an-a01n02 address ipv4 10.101.10.2:7797; net { protocol C; fencing resource-and-stonith; }',
    ]],
    ['pair + DR async', 'A' as const, [
      'host an-a01n01 address ipv4 10.101.10.1:7797; host an-a01n02 address ipv4 10.101.10.2:7797; net { protocol C; fencing resource-and-stonith; }',
      'host an-a01n01 address ipv4 10.101.10.1:7798; host an-a01dr01 address ipv4 10.101.10.3:7798; net { protocol A; fencing dont-care; }',
      'host an-a01n02 address ipv4 10.101.10.2:7799; host an-a01dr01 address ipv4 10.101.10.3:7799; net { protocol A; fencing dont-care; }',
    ]],
    ['pair + DR sync', 'C' as const, [
      'host an-a01n01 address ipv4 10.101.10.1:7797; host an-a01n02 address ipv4 10.101.10.2:7797; net { protocol C; fencing resource-and-stonith; }',
      'host an-a01n01 address ipv4 10.101.10.1:7798; host an-a01dr01 address ipv4 10.101.10.3:7798; net { protocol C; fencing dont-care; }',
      'host an-a01n02 address ipv4 10.101.10.2:7799; host an-a01dr01 address ipv4 10.101.10.3:7799; net { protocol C; fencing dont-care; }',
    ]],
  ])('%s: one connection per host pair, each with its own port, protocol and fencing', (_shape, protocol, expected) => {
    const text = renderDrbdResource({ ...pair, ...(protocol ? { dr: { name: 'an-a01dr01', address: '10.101.10.3', protocol } } : {}) });
    expect(connections(text)).toEqual(expected);
    expect(text).toContain('device /dev/drbd3 minor 3;');
    expect(text).toContain('disk /dev/vg0/srv01;');
    expect(text).toContain('on an-a01n01 { node-id 0; }');
    expect(text).toContain('on an-a01n02 { node-id 1; }');
    expect(text.includes('on an-a01dr01 { node-id 2; }')).toBe(protocol !== undefined);
  });

  it('carries the fence-peer handlers of global_common.conf, or the given ones', () => {
    expect(renderDrbdResource(pair)).toContain('fence-peer "/usr/libexec/striker/drbd-fence-peer fence";');
    const text = renderDrbdResource({ ...pair, fencePeerCommand: '/opt/x "a"', unfencePeerCommand: '/opt/y' });
    expect(text).toContain('fence-peer "/opt/x \\"a\\"";');
    expect(text).toContain('unfence-peer "/opt/y";');
  });

  it.each([
    ['a bad name', { name: 'srv 01' }, 'name'],
    ['a minor beyond DRBD', { minor: 1_048_576 }, 'minor'],
    ['a port without room for the DR connections', { port: 65534 }, 'port'],
    ['a relative disk', { disk: 'vg0/srv01' }, 'disk'],
    ['a disk path with ..', { disk: '/dev/../etc/passwd' }, 'disk'],
    ['the same node twice', { nodes: [pair.nodes[0], { ...pair.nodes[0], address: '10.101.10.9' }] }, 'nodes.1.name'],
    ['the same address twice', { nodes: [pair.nodes[0], { ...pair.nodes[1], address: '10.101.10.1' }] }, 'nodes.1.address'],
    ['a DR host with a node\'s address', { dr: { name: 'an-a01dr01', address: '10.101.10.2', protocol: 'A' } }, 'dr.address'],
    ['a missing SN address', { nodes: [pair.nodes[0], { name: 'an-a01n02' }] }, 'nodes.1.address'],
  ])('refuses %s, naming the field', (_what, change, path) => {
    let error: unknown;
    try { renderDrbdResource({ ...pair, ...change } as DrbdResourceInput); } catch (e) { error = e; }
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).details['problems']).toEqual(expect.arrayContaining([expect.objectContaining({ path })]));
  });
});
