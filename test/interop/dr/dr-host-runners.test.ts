/**
 * The DR host's runners against the real drbdadm in dry-run mode, one directory per host (its
 * /etc/drbd.d and state): `dr.link` writes the pair's global configuration on the DR host;
 * `dr.protect` writes the re-rendered resource (pair + DR, async and sync) on all three hosts,
 * makes the DR host's volume and metadata (once), and `adjust` issues exactly the drbdsetup calls
 * asserted here for each host; `dr.unprotect` brings the subnodes back to the pair-only resource
 * and takes the DR host's copy down and away. There is no kernel module: `__DRBD_NODE__` makes
 * drbdadm act as the host and `-d` prints the calls instead of making them.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { runCommand } from '../../../striker/core/command/run-command.js';
import type { HostJobContext } from '../../../striker/agent/index.js';
import { renderDrbdGlobalCommon } from '../../../cluster/drbd-global-plan.js';
import { drHostRunners, planProtection, type DrLink } from '../../../cluster/dr/index.js';
import { parseServersConfig, type Server } from '../../../cluster/servers/index.js';

const work = mkdtempSync(join(tmpdir(), 'dr-runners-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const server = {
  id: randomUUID(), name: 'srv01', anvil: 'an-anvil-01', diskGiB: 1, drbdMinor: 3, drbdPort: 7797,
  hosts: [
    { key: 'node1', name: 'an-a01n01', hostId: '52-54-00-a1-00-01', snAddress: '10.101.10.1' },
    { key: 'node2', name: 'an-a01n02', hostId: '52-54-00-a1-00-02', snAddress: '10.101.10.2' },
  ],
} as Server;
const link = (protocol: 'A' | 'C'): DrLink => ({
  id: randomUUID(), anvil: 'an-anvil-01', drHost: 'an-a01dr01', drHostId: '52-54-00-a1-00-03', drSnAddress: '10.101.10.3', protocol,
  mode: 'always-on', schedule: null, state: 'linked', linkJob: null, lastCycleAt: null, lastCycleOutcome: null, lastCycleMessage: null,
  ownerNode: null, createdAt: new Date(), modifiedAt: new Date(),
});

interface Host { dir: string; config: string; notes: string[]; api: { path: string; body: unknown }[] }

function host(name: string): Host {
  const dir = mkdtempSync(join(work, `${name}-`));
  mkdirSync(join(dir, 'drbd.d'));
  const config = join(dir, 'drbd.conf');
  writeFileSync(join(dir, 'drbd.d', 'global_common.conf'), renderDrbdGlobalCommon());
  writeFileSync(config, `include "${dir}/drbd.d/global_common.conf";\ninclude "${dir}/drbd.d/*.res";\n`);
  return { dir, config, notes: [], api: [] };
}

function context<P>(h: Host, payload: P): HostJobContext<P> {
  return {
    jobId: randomUUID(), payload, signal: new AbortController().signal, logger: pino({ level: 'silent' }),
    progress: async () => undefined,
    note: async (message, vars) => { h.notes.push(message.replace(/\{(\w+)\}/g, (_, k: string) => String(vars?.[k]))); },
    api: async <T>(_method: string, path: string, body?: object) => { h.api.push({ path, body }); return {} as T; },
  };
}

const runnersFor = (h: Host) => drHostRunners({ run: runCommand, drbdConfig: h.config, paths: { resourceDir: join(h.dir, 'drbd.d'), stateDir: join(h.dir, 'state') }, commandTimeoutMs: 30_000 });
/** The calls a dry-run note of `drbdadm -d <args>` lists (the note as a person reads it). */
const calls = (h: Host, args: string) => {
  const head = `Configured DRBD dry-run mode (servers.drbdDryRun): \`drbdadm -d ${args}\` ran as `;
  const made = ' and printed these calls without making them: ';
  return h.notes.filter((n) => n.startsWith(head) && n.includes(made)).map((n) => n.slice(n.indexOf(made) + made.length).split('; '));
};
const pairPeer = '--after-sb-0pri=discard-zero-changes --after-sb-1pri=discard-secondary --after-sb-2pri=disconnect --timeout=60 --ping-timeout=5 --connect-int=10';
const peer = (id: number, name: string, protocol: string, fencing: string) => `drbdsetup new-peer srv01 ${id} --_name=${name} ${pairPeer} --protocol=${protocol} --fencing=${fencing}`;
const attach = (disk: string) => [`drbdmeta 3 v09 ${disk} internal apply-al`, `drbdsetup attach 3 ${disk} ${disk} internal`];

function expectedAdjust(p: 'A' | 'C', disk: string): Record<string, string[]> {
  return {
    'an-a01n01': [
      'drbdsetup new-resource srv01 0 --auto-promote=no', 'drbdsetup new-minor srv01 3 0',
      peer(1, 'an-a01n02', 'C', 'resource-and-stonith'), peer(2, 'an-a01dr01', p, 'dont-care'),
      'drbdsetup new-path srv01 1 ipv4:10.101.10.1:7797 ipv4:10.101.10.2:7797',
      'drbdsetup new-path srv01 2 ipv4:10.101.10.1:7798 ipv4:10.101.10.3:7798',
      ...attach(disk), 'drbdsetup connect srv01 1', 'drbdsetup connect srv01 2',
    ],
    'an-a01n02': [
      'drbdsetup new-resource srv01 1 --auto-promote=no', 'drbdsetup new-minor srv01 3 0',
      peer(0, 'an-a01n01', 'C', 'resource-and-stonith'), peer(2, 'an-a01dr01', p, 'dont-care'),
      'drbdsetup new-path srv01 0 ipv4:10.101.10.2:7797 ipv4:10.101.10.1:7797',
      'drbdsetup new-path srv01 2 ipv4:10.101.10.2:7799 ipv4:10.101.10.3:7799',
      ...attach(disk), 'drbdsetup connect srv01 0', 'drbdsetup connect srv01 2',
    ],
    'an-a01dr01': [
      'drbdsetup new-resource srv01 2 --auto-promote=no', 'drbdsetup new-minor srv01 3 0',
      peer(0, 'an-a01n01', p, 'dont-care'), peer(1, 'an-a01n02', p, 'dont-care'),
      'drbdsetup new-path srv01 0 ipv4:10.101.10.3:7798 ipv4:10.101.10.1:7798',
      'drbdsetup new-path srv01 1 ipv4:10.101.10.3:7799 ipv4:10.101.10.2:7799',
      ...attach(disk), 'drbdsetup connect srv01 0', 'drbdsetup connect srv01 1',
    ],
  };
}

describe('DR runners under drbdadm -d', () => {
  it('dr.link writes the pair\'s DRBD global configuration on the DR host and reports it linked', async () => {
    const h = host('link');
    rmSync(join(h.dir, 'drbd.d', 'global_common.conf'));
    const r = await runnersFor(h)['dr.link'](context(h, {
      anvilName: 'an-anvil-01', hostName: 'an-a01dr01', addresses: { sn1: '10.101.10.3' },
      nodes: [{ hostName: 'an-a01n01', addresses: { sn1: '10.101.10.1' } }, { hostName: 'an-a01n02', addresses: { sn1: '10.101.10.2' } }],
    }));
    expect(readFileSync(join(h.dir, 'drbd.d', 'global_common.conf'), 'utf8')).toBe(renderDrbdGlobalCommon());
    expect(h.api).toEqual([{ path: 'dr/an-anvil-01/linked', body: {} }]);
    expect(r).toEqual({ message: 'an-a01dr01 is linked to an-anvil-01 (an-a01n01 and an-a01n02)' });
  });

  for (const protocol of ['A', 'C'] as const) {
    it(`protect (${protocol === 'A' ? 'async' : 'sync'}) on all three hosts: the files, the DR volume and metadata once, exactly these adjust calls; unprotect undoes it`, async () => {
      const volumes = join(work, `volumes-${protocol}`);
      const plan = planProtection(server, link(protocol), parseServersConfig({ drbdDryRun: true, volumeDirectory: volumes }), []);
      const disk = join(volumes, 'srv01.img');
      const hosts = { node1: host(`n1${protocol}`), node2: host(`n2${protocol}`), dr: host(`dr${protocol}`) };
      for (const role of ['node1', 'node2', 'dr'] as const) {
        const h = hosts[role];
        await runnersFor(h)['dr.protect'](context(h, plan.protect[role].payload));
        expect(readFileSync(join(h.dir, 'drbd.d', 'srv01.res'), 'utf8')).toBe(plan.withDr);
        expect(calls(h, 'adjust srv01')).toEqual([expectedAdjust(protocol, disk)[plan.protect[role].host.name]]);
      }
      expect(calls(hosts.dr, 'create-md --force --max-peers=2 srv01')).toEqual([[`drbdmeta 3 v09 ${disk} internal create-md 2 --force`]]);
      expect(calls(hosts.node1, 'create-md --force --max-peers=2 srv01')).toEqual([]);
      expect(statSync(disk).size).toBe(1024 ** 3);
      expect(hosts.dr.api).toEqual([{ path: 'dr/servers/srv01/protection', body: { action: 'protect' } }]);
      expect(hosts.node1.api).toEqual([]);

      // A retried job on the DR host never makes the metadata again.
      await runnersFor(hosts.dr)['dr.protect'](context(hosts.dr, plan.protect.dr.payload));
      expect(calls(hosts.dr, 'create-md --force --max-peers=2 srv01')).toHaveLength(1);

      for (const role of ['node1', 'node2', 'dr'] as const) {
        const h = hosts[role];
        h.notes.length = 0;
        await runnersFor(h)['dr.unprotect'](context(h, plan.unprotect[role].payload));
      }
      for (const role of ['node1', 'node2'] as const) {
        const text = readFileSync(join(hosts[role].dir, 'drbd.d', 'srv01.res'), 'utf8');
        expect(text).toBe(plan.pairOnly);
        const adjust = calls(hosts[role], 'adjust srv01')[0]!;
        expect(adjust.filter((c) => c.includes('an-a01dr01') || c.includes('10.101.10.3'))).toEqual([]);
        expect(adjust).toContain(role === 'node1' ? 'drbdsetup connect srv01 1' : 'drbdsetup connect srv01 0');
      }
      expect(calls(hosts.dr, 'down srv01')).toEqual([['drbdsetup down srv01']]);
      expect(existsSync(join(hosts.dr.dir, 'drbd.d', 'srv01.res'))).toBe(false);
      expect(existsSync(disk)).toBe(false);
      expect(hosts.dr.api.at(-1)).toEqual({ path: 'dr/servers/srv01/protection', body: { action: 'unprotect' } });
    });
  }

  it('a spoiled file is refused by drbdadm, and the job fails naming it (the check can fail)', async () => {
    const plan = planProtection(server, link('A'), parseServersConfig({ drbdDryRun: true, volumeDirectory: join(work, 'v-bad') }), []);
    const h = host('bad');
    const payload = { ...plan.protect.node1.payload, drbdResource: plan.withDr.replace('fencing dont-care', 'fencing dont-mind') };
    await expect(runnersFor(h)['dr.protect'](context(h, payload))).rejects.toThrow(/drbdadm/);
  });
});
