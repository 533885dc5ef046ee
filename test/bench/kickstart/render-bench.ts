/**
 * Kickstart benchmark (run by hand: `npx tsx test/bench/kickstart/render-bench.ts [hosts]`).
 * Renders and lints N hosts (default 1,000, roles mixed), resolves each host's %packages with
 * our resolver against a synthetic 5,000-package repo, and measures the peer in the same run:
 * one real dnf test transaction against an rpmbuild + createrepo_c repo, next to our resolver on
 * that same repo. Goal: ≤ 0.5 ms per render (Cobbler's in-repo benchmark: about 4 ms per system).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCommand } from '../../../striker/core/command/run-command.js';
import { lintKickstart } from '../../../kickstart/lint.js';
import { checkWithDnf, checkWithResolver } from '../../../kickstart/package-check.js';
import { packageRequestOf } from '../../../kickstart/package-problem.js';
import { indexRepo, resolveWithIndex } from '../../../kickstart/package-resolver.js';
import type { RepoPackage } from '../../../kickstart/package-resolver.js';
import { renderKickstart } from '../../../kickstart/render.js';
import { packagesByRole } from '../../../kickstart/role-packages.js';
import { roles } from '../../../kickstart/kickstart-input.js';
import { buildRpms, createRepo } from '../../fixtures/kickstart/rpm-repo.js';
import { sampleInput } from '../../fixtures/kickstart/sample-input.js';
import { requirePeers } from '../require-peers.js';

requirePeers('rpmbuild', 'createrepo_c', 'dnf');
const hosts = Number(process.argv[2] ?? 1000);
const inputs = Array.from({ length: hosts }, (_, i) => sampleInput(roles[i % 3] ?? 'node', i + 1));

function time<T>(label: string, fn: () => T): { ms: number; result: T } {
  const t0 = performance.now();
  const result = fn();
  return { ms: performance.now() - t0, result };
}

// Warm up the JIT on a different slice, then measure.
for (let i = 0; i < 200; i++) lintKickstart(renderKickstart(inputs[i % inputs.length] ?? sampleInput('node')));

const render = time('render', () => inputs.map((input) => renderKickstart(input)));
const lint = time('lint', () => render.result.map((text) => lintKickstart(text)));
const lintErrors = lint.result.filter((r) => !r.ok).length;

// Synthetic repo: every role package plus 5,000 filler packages with chained requires.
const filler: RepoPackage[] = Array.from({ length: 5000 }, (_, i) => ({
  name: `lib${i}`, arch: 'x86_64', epoch: '0', version: '1.0', release: '1',
  provides: [{ name: `lib${i}`, flags: 'EQ', epoch: '0', version: '1.0', release: '1' }, { name: `lib${i}.so.1()(64bit)` }],
  requires: i === 0 ? [] : [{ name: `lib${i - 1}.so.1()(64bit)` }, { name: `lib${Math.floor(i / 2)}`, flags: 'GE', epoch: '0', version: '1.0' }],
  files: [`/usr/lib64/lib${i}.so.1`],
}));
const named = [...new Set(Object.values(packagesByRole).flat().filter((n) => !n.startsWith('@')))].map((name, i): RepoPackage => ({
  name, arch: 'noarch', epoch: '0', version: '1.0', release: '1', provides: [{ name, flags: 'EQ', epoch: '0', version: '1.0', release: '1' }],
  requires: [{ name: `lib${4999 - i * 7}.so.1()(64bit)` }], files: [],
}));
const snapshot = { packages: [...filler, ...named], groups: [{ id: 'core', packages: ['lib10', 'lib20'] }] };
const requests = render.result.map(packageRequestOf);
const index = time('index', () => indexRepo(snapshot));
const resolve = time('resolve', () => requests.map((r) => resolveWithIndex(r, index.result)));
const resolveErrors = resolve.result.filter((p) => p.length > 0).length;

const row = (what: string, ms: number, n: number, note = ''): string =>
  `| ${what.padEnd(44)} | ${String(n).padStart(5)} | ${ms.toFixed(1).padStart(9)} | ${(ms / n).toFixed(4).padStart(9)} | ${note}`;
console.log(`\nkickstart benchmark, ${hosts} hosts, node ${process.version}\n`);
console.log('| step                                         | hosts |  total ms |  ms/host | note');
console.log('|----------------------------------------------|-------|-----------|----------|-----');
console.log(row('render (validate + commands + %pre + %post)', render.ms, hosts, `goal ≤ 0.5 ms/host; ${(render.result[0]?.length ?? 0)} bytes each`));
console.log(row('lint', lint.ms, hosts, `${lintErrors} with errors`));
console.log(row('render + lint', render.ms + lint.ms, hosts, 'Cobbler reference ≈ 4 ms/system (not measured here)'));
console.log(row('resolve %packages, 5,027-package repo', resolve.ms, hosts, `${resolveErrors} with problems; index built once in ${index.ms.toFixed(1)} ms`));

// Peer in the same run: real dnf vs our resolver on a real repo.
const work = mkdtempSync(join(tmpdir(), 'ks-bench-'));
try {
  const rpms = await buildRpms(work, [...new Set([...Object.values(packagesByRole).flat().filter((n) => !n.startsWith('@')), 'basesystem'])].map((name) => ({ name })));
  await createRepo(join(work, 'repo'), [...rpms.values()], { core: ['basesystem'] });
  const repo = { id: 'bench', url: `file://${join(work, 'repo')}`, dir: join(work, 'repo') };
  const request = requests[1] ?? requests[0];
  if (request === undefined) throw new Error('no hosts');
  const t0 = performance.now();
  const dnf = await checkWithDnf(runCommand, [repo], request, { scratchDir: work });
  const dnfMs = performance.now() - t0;
  const t1 = performance.now();
  const ours = await checkWithResolver(runCommand, [repo], request);
  const oursMs = performance.now() - t1;
  console.log('\n| package check of one node kickstart on a real repo | ms | ok |');
  console.log('|---------------------------------------------------|----|----|');
  console.log(`| dnf test transaction (peer)                       | ${dnfMs.toFixed(0)} | ${dnf.ok} |`);
  console.log(`| our resolver (read repodata + resolve)            | ${oursMs.toFixed(1)} | ${ours.ok} |`);
  console.log(`| ratio dnf / ours                                  | ${(dnfMs / oursMs).toFixed(0)}× | |`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
