/**
 * The `%packages` check against real repositories built here with rpmbuild + createrepo_c:
 * real dnf (test transaction) and our own resolver must both pass the rendered node kickstart
 * on a complete mirror, and both must name the missing package and the missing dependency on a
 * broken one; the pre-boot check names `striker-agent` (in `%packages` of nodes and DR hosts) when
 * Striker's repo lacks it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fastifyStatic from '@fastify/static';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCommand, type CommandRunner } from '../../../striker/core/command/run-command.js';
import { checkPackages, checkWithDnf, checkWithResolver, dnfAvailable, type CheckRepo } from '../../../kickstart/package-check.js';
import { describePackageProblem, packageRequestOf, type PackageRequest } from '../../../kickstart/package-problem.js';
import { checkHost } from '../../../kickstart/preboot-check.js';
import { renderKickstart } from '../../../kickstart/render.js';
import { packagesByRole } from '../../../kickstart/role-packages.js';
import { buildRpms, createRepo, type FakePackage } from '../../fixtures/kickstart/rpm-repo.js';
import { sampleInput } from '../../fixtures/kickstart/sample-input.js';

const work = mkdtempSync(join(tmpdir(), 'ks-pkgcheck-'));
/** The complete mirror is served over HTTP on loopback, as Striker serves its repos to dnf. */
const server = Fastify();
const served: string[] = [];
server.addHook('onRequest', async (req) => { served.push(req.url); });
afterAll(async () => {
  await server.close();
  rmSync(work, { recursive: true, force: true });
});

const special: Record<string, FakePackage> = {
  corosync: { name: 'corosync', files: ['/usr/sbin/corosync'] },
  pacemaker: { name: 'pacemaker', requires: ['/usr/sbin/corosync', 'resource-agents'] },
  pcs: { name: 'pcs', requires: ['python3-pcs-lib >= 0.11', 'pacemaker'] },
  'drbd-utils': { name: 'drbd-utils', requires: ['drbd-kmod-common'] },
  'kmod-drbd': { name: 'kmod-drbd', provides: ['drbd-kmod-common = 9.2'] },
};
const names = [...new Set([...packagesByRole.node, ...packagesByRole.dr].filter((n) => !n.startsWith('@'))), 'python3-pcs-lib', 'basesystem'];
const fakes = names.map((n) => special[n] ?? { name: n });

let full: CheckRepo;
let broken: CheckRepo;
let noAgent: CheckRepo;
let nodeRequest: PackageRequest;

beforeAll(async () => {
  const rpms = await buildRpms(work, fakes);
  const all = [...rpms.values()];
  const without = ['kmod-drbd', 'python3-pcs-lib'].map((n) => rpms.get(n));
  await createRepo(join(work, 'full'), all, { core: ['basesystem'] });
  await createRepo(join(work, 'broken'), all.filter((r) => !without.includes(r)), { core: ['basesystem'] });
  await createRepo(join(work, 'no-agent'), all.filter((r) => r !== rpms.get('striker-agent')), { core: ['basesystem'] });
  await server.register(fastifyStatic, { root: work, prefix: '/repo/' });
  const base = await server.listen({ host: '127.0.0.1', port: 0 });
  full = { id: 'full', url: `${base}/repo/full/`, dir: join(work, 'full') };
  broken = { id: 'broken', url: `file://${join(work, 'broken')}`, dir: join(work, 'broken') };
  noAgent = { id: 'striker', url: `file://${join(work, 'no-agent')}`, dir: join(work, 'no-agent') };
  nodeRequest = packageRequestOf(renderKickstart(sampleInput('node')));
});

const brokenProblems = [
  { kind: 'missing-package', name: 'kmod-drbd' },
  { kind: 'missing-dependency', package: 'pcs', requirement: 'python3-pcs-lib >= 0.11' },
];

describe('%packages check with real dnf', () => {
  it('finds dnf on this machine', async () => {
    expect(await dnfAvailable(runCommand)).toBe(true);
  });

  it('passes the rendered node kickstart on a complete mirror', async () => {
    expect(nodeRequest.groups).toEqual(['core']);
    expect(await checkWithDnf(runCommand, [full], nodeRequest, { scratchDir: work })).toEqual({ ok: true, engine: 'dnf', problems: [] });
    expect(served).toContain('/repo/full/repodata/repomd.xml');
    expect(served.some((u) => u.startsWith('/repo/full/Packages/pacemaker-'))).toBe(true);
  });

  it('names the missing package and the missing dependency on a broken mirror', async () => {
    const result = await checkWithDnf(runCommand, [broken], nodeRequest, { scratchDir: work });
    expect(result.ok).toBe(false);
    expect(result.problems).toEqual(expect.arrayContaining(brokenProblems));
    expect(result.problems.map(describePackageProblem)).toContain('package pcs needs python3-pcs-lib >= 0.11, which nothing in the repos provides');
  });

  it('reports a group missing from comps', async () => {
    const result = await checkWithDnf(runCommand, [full], { packages: ['chrony'], groups: ['virtualization-host'], excludes: [] }, { scratchDir: work });
    expect(result.problems).toEqual([{ kind: 'unknown-group', group: 'virtualization-host' }]);
  });
});

describe('%packages check with our resolver over primary.xml and comps', () => {
  it('passes the rendered node kickstart on a complete mirror', async () => {
    expect(await checkWithResolver(runCommand, [full], nodeRequest)).toEqual({ ok: true, engine: 'resolver', problems: [] });
  });

  it('names the same missing package and missing dependency as dnf', async () => {
    const result = await checkWithResolver(runCommand, [broken], nodeRequest);
    expect(result).toEqual({ ok: false, engine: 'resolver', problems: expect.arrayContaining(brokenProblems) });
    expect(result.problems).toHaveLength(3);
    expect(result.problems).toContainEqual({ kind: 'missing-dependency', package: 'drbd-utils', requirement: 'drbd-kmod-common' });
  });

  it('is chosen when dnf cannot be started', async () => {
    const noDnf: CommandRunner = (argv, options) => runCommand(argv[0] === 'dnf' ? ['/nonexistent/dnf', ...argv.slice(1)] : argv, options);
    const result = await checkPackages(noDnf, [broken], nodeRequest);
    expect(result.engine).toBe('resolver');
    expect(result.problems).toEqual(expect.arrayContaining(brokenProblems));
  });
});

describe('pre-boot check of a host', () => {
  const { registration: _r, timelineUrl: _t, ...draft } = sampleInput('dr');

  it('is ready on a complete mirror (dnf)', async () => {
    expect(await checkHost(runCommand, draft, [full], { scratchDir: work })).toEqual({ status: 'ready', engine: 'dnf', problems: [], packageProblems: [] });
  });

  it.each(['dnf', 'resolver'] as const)('names striker-agent when the mirror lacks it (%s)', async (engine) => {
    for (const role of ['node', 'dr'] as const) {
      const { registration: _r2, timelineUrl: _t2, ...host } = sampleInput(role);
      const result = await checkHost(runCommand, host, [noAgent], { engine, scratchDir: work });
      expect(result.status).toBe('failed');
      expect(result.problems.filter((p) => p.source === 'packages')).toEqual([{ source: 'packages', line: 0, severity: 'error', message: 'package striker-agent is not in the repos' }]);
    }
  });

  it('fails with the exact problems on a broken mirror (resolver)', async () => {
    const result = await checkHost(runCommand, draft, [broken], { engine: 'resolver' });
    expect(result.status).toBe('failed');
    expect(result.problems).toEqual([
      { source: 'packages', line: 0, severity: 'error', message: 'package kmod-drbd is not in the repos' },
      { source: 'packages', line: 0, severity: 'error', message: 'package drbd-utils needs drbd-kmod-common, which nothing in the repos provides' },
    ]);
  });
});
