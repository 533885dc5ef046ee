/**
 * The planned global_common.conf read by the real drbdadm, with a two-node resource that includes
 * it (no kernel module: `__DRBD_NODE__` makes drbdadm act as that host, `-d` prints the drbdsetup
 * commands instead of running them): it parses, and the commands carry the planned fencing,
 * after-split-brain policies and timeouts.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCommand } from '../../../striker/core/command/run-command.js';
import { renderDrbdGlobalCommon } from '../../../cluster/drbd-global-plan.js';

const work = mkdtempSync(join(tmpdir(), 'drbd-global-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const resource = `resource srv01 {
    device /dev/drbd0;
    disk /dev/vg0/srv01;
    meta-disk internal;
    on an-a01n01 { node-id 0; address 10.101.10.1:7789; }
    on an-a01n02 { node-id 1; address 10.101.10.2:7789; }
}
`;

async function drbdadm(globalCommon: string, args: string[]) {
  const dir = mkdtempSync(join(work, 'c-'));
  writeFileSync(join(dir, 'global_common.conf'), globalCommon);
  writeFileSync(join(dir, 'srv01.res'), resource);
  writeFileSync(join(dir, 'drbd.conf'), `include "${dir}/global_common.conf";\ninclude "${dir}/srv01.res";\n`);
  return runCommand(['drbdadm', '-c', join(dir, 'drbd.conf'), ...args], { timeoutMs: 30_000, okExitCodes: [0, 10], env: { __DRBD_NODE__: 'an-a01n01' } });
}

describe('global_common.conf', () => {
  const text = renderDrbdGlobalCommon();

  it('parses (drbdadm dump exits 0)', async () => {
    const r = await drbdadm(text, ['dump', 'srv01']);
    expect(r.stderr).not.toContain('Parse error');
    expect(r.exitCode).toBe(0);
  });

  it('gives every peer connection the fencing policy, after-split-brain policies and timeouts', async () => {
    const r = await drbdadm(text, ['-d', 'up', 'srv01']);
    expect(r.exitCode).toBe(0);
    const newPeer = r.stdout.split('\n').find((l) => l.startsWith('drbdsetup new-peer srv01 1'));
    expect(newPeer?.split(' ')).toEqual(expect.arrayContaining([
      '--fencing=resource-and-stonith', '--after-sb-0pri=discard-zero-changes', '--after-sb-1pri=discard-secondary',
      '--after-sb-2pri=disconnect', '--timeout=60', '--ping-timeout=5', '--connect-int=10', '--protocol=C',
    ]));
    expect(r.stdout).toContain('drbdsetup new-resource srv01 0 --auto-promote=no');
  });

  it('a changed net timeout reaches drbdsetup', async () => {
    const r = await drbdadm(renderDrbdGlobalCommon({ timeoutDeciseconds: 40 }), ['-d', 'up', 'srv01']);
    expect(r.stdout).toContain('--timeout=40');
  });

  it.each([
    ['an unknown handler', (t: string) => t.replace('unfence-peer', 'unfence-peers')],
    ['an invalid after-sb policy', (t: string) => t.replace('after-sb-2pri disconnect', 'after-sb-2pri bogus')],
  ])('drbdadm refuses %s with file and line (the check can fail)', async (_what, spoil) => {
    const r = await drbdadm(spoil(text), ['dump', 'srv01']);
    expect(r.exitCode).toBe(10);
    expect(r.stderr).toMatch(/global_common\.conf:\d+/);
  });
});
