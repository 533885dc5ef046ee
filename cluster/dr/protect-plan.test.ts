/**
 * planProtection: the resource files (with and without the DR host) and the payloads per host, and
 * a server whose minor or ports are taken on the DR host (by a server of another pair that shares
 * it) refused before anything is written, naming the other server.
 */
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../striker/core/errors/index.js';
import { parseServersConfig, type Server } from '../servers/index.js';
import type { DrLink } from './dr-record.js';
import { planProtection } from './protect-plan.js';

const server = {
  id: '6f1c1a52-7b49-4c3e-9a55-1d2b3c4d5e6f', name: 'srv01', anvil: 'an-anvil-01', diskGiB: 8, drbdMinor: 0, drbdPort: 7788,
  hosts: [
    { key: 'node1', name: 'an-a01n01', hostId: '52-54-00-a1-00-01', snAddress: '10.101.10.1' },
    { key: 'node2', name: 'an-a01n02', hostId: '52-54-00-a1-00-02', snAddress: '10.101.10.2' },
  ],
} as Server;
const link = {
  anvil: 'an-anvil-01', drHost: 'an-dr01', drHostId: '52-54-00-a1-00-03', drSnAddress: '10.101.10.3', protocol: 'C',
} as DrLink;
const config = parseServersConfig({ volumeGroup: 'vg0' });

describe('planProtection', () => {
  it('renders both files and a payload per host: the DR host also gets its volume', () => {
    const plan = planProtection(server, link, config, []);
    expect(plan.withDr).toContain('on an-dr01 { node-id 2; }');
    expect(plan.withDr).toContain('# Written by Striker for server srv01: node1 and node2 with DR host an-dr01 (protocol C).');
    expect(plan.pairOnly).not.toContain('an-dr01');
    expect(plan.hosts.map((h) => `${h.key}:${h.name}`)).toEqual(['node1:an-a01n01', 'node2:an-a01n02', 'dr:an-dr01']);
    expect(plan.protect.dr.payload).toEqual({
      server: 'srv01', anvilName: 'an-anvil-01', role: 'dr', hostName: 'an-dr01', drbdDryRun: false, drbdResource: plan.withDr,
      volume: { diskGiB: 8, storage: { kind: 'lvm', volumeGroup: 'vg0' } },
    });
    expect(plan.protect.node2.payload).toEqual({ server: 'srv01', anvilName: 'an-anvil-01', role: 'node2', hostName: 'an-a01n02', drbdDryRun: false, drbdResource: plan.withDr });
    expect(plan.unprotect.node1.payload.drbdResource).toBe(plan.pairOnly);
    expect(plan.unprotect.dr.payload).not.toHaveProperty('drbdResource');
  });

  it('refuses a minor and ports taken on the DR host by another pair\'s server, and ignores the server itself', () => {
    const other = { name: 'web9', hosts: ['an-a02n01', 'an-a02n02', 'an-dr01'], minor: 0, port: 7789 };
    const error = (() => { try { planProtection(server, link, config, [other]); } catch (e) { return e; } return undefined; })();
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).problems).toEqual([
      { path: 'server', message: 'srv01 cannot have an-dr01 added: minor 0 is already used by server web9 on an-dr01' },
      { path: 'server', message: 'srv01 cannot have an-dr01 added: ports 7788–7790 overlap ports 7789–7791 of server web9 on an-dr01' },
    ]);
    const itself = { name: 'srv01', hosts: ['an-a01n01', 'an-a01n02'], minor: 0, port: 7788 };
    expect(() => planProtection(server, link, config, [itself, { ...other, minor: 5, port: 7900 }])).not.toThrow();
  });
});
