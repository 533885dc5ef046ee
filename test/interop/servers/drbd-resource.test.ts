/**
 * Rendered server resource files read by the real drbdadm on every host of each shape (pair;
 * pair + DR async; pair + DR sync). There is no kernel module here: `__DRBD_NODE__` makes drbdadm
 * act as that host, `-d` prints the drbdsetup commands instead of running them, and
 * `DRBD_DRIVER_VERSION_OVERRIDE` stops it probing for the module. The full command list of
 * `up` is asserted for each host, and a spoiled file is refused with its file and line.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCommand } from '../../../striker/core/command/run-command.js';
import { renderDrbdGlobalCommon } from '../../../cluster/drbd-global-plan.js';
import { renderDrbdResource, type DrbdResourceInput } from '../../../cluster/servers/index.js';

const work = mkdtempSync(join(tmpdir(), 'drbd-server-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const pair: DrbdResourceInput = {
  name: 'srv01', minor: 3, port: 7797, disk: '/dev/vg0/srv01',
  nodes: [{ name: 'an-a01n01', address: '10.101.10.1' }, { name: 'an-a01n02', address: '10.101.10.2' }],
};
const withDr = (protocol: 'A' | 'C'): DrbdResourceInput => ({ ...pair, dr: { name: 'an-a01dr01', address: '10.101.10.3', protocol } });

async function drbdadm(resourceText: string, host: string, args: string[]) {
  const dir = mkdtempSync(join(work, 'c-'));
  writeFileSync(join(dir, 'global_common.conf'), renderDrbdGlobalCommon());
  writeFileSync(join(dir, 'srv01.res'), resourceText);
  writeFileSync(join(dir, 'drbd.conf'), `include "${dir}/global_common.conf";\ninclude "${dir}/srv01.res";\n`);
  return runCommand(['drbdadm', '-c', join(dir, 'drbd.conf'), ...args], {
    timeoutMs: 30_000, okExitCodes: [0, 10], env: { __DRBD_NODE__: host, DRBD_DRIVER_VERSION_OVERRIDE: '9.0.0' },
  });
}

const pairPeer = '--after-sb-0pri=discard-zero-changes --after-sb-1pri=discard-secondary --after-sb-2pri=disconnect --timeout=60 --ping-timeout=5 --connect-int=10';
const peer = (id: number, name: string, protocol: string, fencing: string) =>
  `drbdsetup new-peer srv01 ${id} --_name=${name} ${pairPeer} --protocol=${protocol} --fencing=${fencing}`;
const attach = ['drbdmeta 3 v09 /dev/vg0/srv01 internal apply-al', 'drbdsetup attach 3 /dev/vg0/srv01 /dev/vg0/srv01 internal'];

const expected: Record<string, Record<string, string[]>> = {
  pair: {
    'an-a01n01': [
      'drbdsetup new-resource srv01 0 --auto-promote=no', 'drbdsetup new-minor srv01 3 0',
      peer(1, 'an-a01n02', 'C', 'resource-and-stonith'),
      'drbdsetup new-path srv01 1 ipv4:10.101.10.1:7797 ipv4:10.101.10.2:7797',
      ...attach, 'drbdsetup connect srv01 1',
    ],
    'an-a01n02': [
      'drbdsetup new-resource srv01 1 --auto-promote=no', 'drbdsetup new-minor srv01 3 0',
      peer(0, 'an-a01n01', 'C', 'resource-and-stonith'),
      'drbdsetup new-path srv01 0 ipv4:10.101.10.2:7797 ipv4:10.101.10.1:7797',
      ...attach, 'drbdsetup connect srv01 0',
    ],
  },
};
for (const [shape, p] of [['pair + DR async', 'A'], ['pair + DR sync', 'C']] as const) {
  expected[shape] = {
    'an-a01n01': [
      'drbdsetup new-resource srv01 0 --auto-promote=no', 'drbdsetup new-minor srv01 3 0',
      peer(1, 'an-a01n02', 'C', 'resource-and-stonith'), peer(2, 'an-a01dr01', p, 'dont-care'),
      'drbdsetup new-path srv01 1 ipv4:10.101.10.1:7797 ipv4:10.101.10.2:7797',
      'drbdsetup new-path srv01 2 ipv4:10.101.10.1:7798 ipv4:10.101.10.3:7798',
      ...attach, 'drbdsetup connect srv01 1', 'drbdsetup connect srv01 2',
    ],
    'an-a01n02': [
      'drbdsetup new-resource srv01 1 --auto-promote=no', 'drbdsetup new-minor srv01 3 0',
      peer(0, 'an-a01n01', 'C', 'resource-and-stonith'), peer(2, 'an-a01dr01', p, 'dont-care'),
      'drbdsetup new-path srv01 0 ipv4:10.101.10.2:7797 ipv4:10.101.10.1:7797',
      'drbdsetup new-path srv01 2 ipv4:10.101.10.2:7799 ipv4:10.101.10.3:7799',
      ...attach, 'drbdsetup connect srv01 0', 'drbdsetup connect srv01 2',
    ],
    'an-a01dr01': [
      'drbdsetup new-resource srv01 2 --auto-promote=no', 'drbdsetup new-minor srv01 3 0',
      peer(0, 'an-a01n01', p, 'dont-care'), peer(1, 'an-a01n02', p, 'dont-care'),
      'drbdsetup new-path srv01 0 ipv4:10.101.10.3:7798 ipv4:10.101.10.1:7798',
      'drbdsetup new-path srv01 1 ipv4:10.101.10.3:7799 ipv4:10.101.10.2:7799',
      ...attach, 'drbdsetup connect srv01 0', 'drbdsetup connect srv01 1',
    ],
  };
}
const inputs: Record<string, DrbdResourceInput> = { pair, 'pair + DR async': withDr('A'), 'pair + DR sync': withDr('C') };

describe('server resource files under drbdadm -d', () => {
  const cases = Object.entries(expected).flatMap(([shape, hosts]) => Object.entries(hosts).map(([host, commands]) => [shape, host, commands] as const));

  it.each(cases)('%s, as %s: up issues exactly these drbdsetup calls', async (shape, host, commands) => {
    const r = await drbdadm(renderDrbdResource(inputs[shape]!), host, ['-d', 'up', 'srv01']);
    expect(r.exitCode).toBe(0);
    expect(r.stdout.trim().split('\n')).toEqual(commands);
  });

  it.each([
    ['create-md with room for the DR peer', ['-d', 'create-md', '--force', '--max-peers=2', 'srv01'], 'drbdmeta 3 v09 /dev/vg0/srv01 internal create-md 2 --force'],
    ['primary --force (the initial sync)', ['-d', 'primary', '--force', 'srv01'], 'drbdsetup primary srv01 --force'],
    ['down', ['-d', 'down', 'srv01'], 'drbdsetup down srv01'],
  ])('%s on node1', async (_what, args, command) => {
    const r = await drbdadm(renderDrbdResource(withDr('A')), 'an-a01n01', args);
    expect(r.exitCode).toBe(0);
    expect(r.stdout.trim().split('\n')).toEqual([command]);
  });

  it.each([
    ['an unknown fencing policy', (t: string) => t.replace('fencing dont-care', 'fencing dont-mind')],
    ['a connection to a host with no on section', (t: string) => t.replace('host an-a01dr01 address ipv4 10.101.10.3:7798', 'host an-a01dr09 address ipv4 10.101.10.3:7798')],
  ])('drbdadm refuses %s with a line number (the check can fail)', async (_what, spoil) => {
    const r = await drbdadm(spoil(renderDrbdResource(withDr('A'))), 'an-a01n01', ['dump', 'srv01']);
    expect(r.exitCode).toBe(10);
    expect(r.stderr).toMatch(/\.(res|conf):\d+:/);
  });
});
