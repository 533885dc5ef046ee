/**
 * Test helper: builds tiny noarch RPMs with the real `rpmbuild`, signs them with a throwaway gpg
 * key (`rpmsign`), and lays them out as an upstream repo with `createrepo_c` (+ comps groups,
 * `modifyrepo_c` for modules/updateinfo, a detached `repomd.xml.asc`). Everything under a scratch
 * directory the test owns; gpg agents started here are stopped by `stopGpgAgents`.
 */
import { copyFile, mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runCommand } from '../../striker/core/command/run-command.js';

export interface RpmSpec {
  name: string;
  version: string;
  release?: string;
  requires?: string[];
  /** Bytes of payload (default a few bytes). */
  payloadBytes?: number;
}

export interface TestGpgKey {
  home: string;
  email: string;
  publicKeyArmored: string;
}

export async function makeGpgKey(dir: string, email = 'upstream@repo.test'): Promise<TestGpgKey> {
  const home = join(dir, `gnupg-${email.split('@')[0]}`);
  await mkdir(home, { recursive: true, mode: 0o700 });
  const params = join(dir, `keyparams-${email}`);
  await writeFile(params, `%no-protection\nKey-Type: RSA\nKey-Length: 2048\nName-Real: Test ${email}\nName-Email: ${email}\nExpire-Date: 0\n%commit\n`);
  await runCommand(['gpg', '--homedir', home, '--batch', '--quiet', '--gen-key', params], { timeoutMs: 60_000 });
  const pub = await runCommand(['gpg', '--homedir', home, '--armor', '--export', email], { timeoutMs: 30_000 });
  return { home, email, publicKeyArmored: pub.stdout };
}

export async function stopGpgAgents(...homes: string[]): Promise<void> {
  for (const home of homes) await runCommand(['gpgconf', '--homedir', home, '--kill', 'gpg-agent'], { timeoutMs: 10_000 }).catch(() => {});
}

export function specText(s: RpmSpec): string {
  const lines = [`Name: ${s.name}`, `Version: ${s.version}`, `Release: ${s.release ?? '1'}`, `Summary: tiny ${s.name}`, 'License: MIT', 'BuildArch: noarch'];
  for (const r of s.requires ?? []) lines.push(`Requires: ${r}`);
  const payload = s.payloadBytes ? `head -c ${s.payloadBytes} /dev/urandom > %{buildroot}/opt/${s.name}/payload` : `echo "${s.name} ${s.version}" > %{buildroot}/opt/${s.name}/payload`;
  lines.push('%description', `tiny test package ${s.name}`, '%install', `mkdir -p %{buildroot}/opt/${s.name}`, payload, '%files', `/opt/${s.name}/payload`, '');
  return lines.join('\n');
}

/** Builds each spec (two rpmbuilds at a time); returns the RPM paths in spec order. */
export async function buildRpms(dir: string, specs: readonly RpmSpec[]): Promise<string[]> {
  const top = join(dir, 'rpmbuild');
  await mkdir(join(dir, 'specs'), { recursive: true });
  // Two rpmbuilds share the tree: make its directories first, or they race to create them ("File exists").
  for (const sub of ['BUILD', 'BUILDROOT', 'RPMS', 'SOURCES', 'SPECS', 'SRPMS']) await mkdir(join(top, sub), { recursive: true });
  const out: string[] = [];
  let next = 0;
  const lane = async () => {
    while (next < specs.length) {
      const s = specs[next++]!;
      const file = join(dir, 'specs', `${s.name}-${s.version}.spec`);
      await writeFile(file, specText(s));
      await runCommand(['rpmbuild', '--quiet', '--define', `_topdir ${top}`, '-bb', file], { timeoutMs: 120_000 });
    }
  };
  await Promise.all([lane(), lane()]);
  for (const s of specs) out.push(join(top, 'RPMS', 'noarch', `${s.name}-${s.version}-${s.release ?? '1'}.noarch.rpm`));
  return out;
}

/**
 * One rpmbuild making `count` subpackages `<prefix>NNNN` (fast: 2,000 packages in seconds, where
 * one rpmbuild each would take minutes). All share `version`.
 */
export async function buildManyRpms(dir: string, prefix: string, count: number, version: string, payloadBytes = 2048, first = 0): Promise<string[]> {
  const top = join(dir, 'rpmbuild');
  await mkdir(top, { recursive: true });
  const main = `${prefix}all${first}`;
  const lines = [`Name: ${main}`, `Version: ${version}`, 'Release: 1', 'Summary: bench', 'License: MIT', 'BuildArch: noarch', '%description', 'bench'];
  const names = Array.from({ length: count }, (_, i) => `${prefix}${String(first + i).padStart(4, '0')}`);
  for (const n of names) lines.push(`%package -n ${n}`, `Summary: ${n}`, `%description -n ${n}`, n);
  lines.push('%install');
  for (const n of names) lines.push(`mkdir -p %{buildroot}/opt/${n} && head -c ${payloadBytes} /dev/urandom > %{buildroot}/opt/${n}/payload`);
  for (const n of names) lines.push(`%files -n ${n}`, `/opt/${n}/payload`);
  const spec = join(dir, `${main}-${version}.spec`);
  await writeFile(spec, lines.join('\n') + '\n');
  await runCommand(['rpmbuild', '--quiet', '--define', `_topdir ${top}`, '--define', '_binary_payload w1.gzdio', '-bb', spec], { timeoutMs: 30 * 60_000 });
  return names.map((n) => join(top, 'RPMS', 'noarch', `${n}-${version}-1.noarch.rpm`));
}

export async function signRpms(files: readonly string[], key: TestGpgKey): Promise<void> {
  for (let i = 0; i < files.length; i += 200) {
    await runCommand(['rpmsign', '--define', `_gpg_name ${key.email}`, '--define', '__gpg /usr/bin/gpg', '--define', `_gpg_path ${key.home}`, '--addsign', ...files.slice(i, i + 200)], {
      timeoutMs: 10 * 60_000, env: { GNUPGHOME: key.home },
    });
  }
}

export interface CompsGroup {
  id: string;
  name: string;
  packages: string[];
}

export function compsXml(groups: readonly CompsGroup[]): string {
  const body = groups.map((g) => `  <group>\n    <id>${g.id}</id>\n    <name>${g.name}</name>\n    <description>${g.name}</description>\n    <default>false</default>\n    <uservisible>true</uservisible>\n    <packagelist>\n${g.packages.map((p) => `      <packagereq type="mandatory">${p}</packagereq>`).join('\n')}\n    </packagelist>\n  </group>`).join('\n');
  return `<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE comps PUBLIC "-//Red Hat, Inc.//DTD Comps info//EN" "comps.dtd">\n<comps>\n${body}\n</comps>\n`;
}

export interface UpstreamRepoOptions {
  groups?: readonly CompsGroup[];
  /** Extra metadata files added with modifyrepo_c: mdtype → file content. */
  extraMetadata?: Record<string, { fileName: string; content: string }>;
  /** Sign repomd.xml with this key (writes repomd.xml.asc and RPM-GPG-KEY-test). */
  signWith?: TestGpgKey;
  /** Extra createrepo_c arguments (e.g. compression type). */
  createrepoArgs?: string[];
}

/** Copies RPMs into `<repoDir>/Packages/` and runs createrepo_c (+ modifyrepo_c, + signature). */
export async function makeUpstreamRepo(repoDir: string, rpms: readonly string[], options: UpstreamRepoOptions = {}): Promise<void> {
  await mkdir(join(repoDir, 'Packages'), { recursive: true });
  for (const f of rpms) await copyFile(f, join(repoDir, 'Packages', f.split('/').pop()!));
  await regenerateUpstream(repoDir, options);
}

export async function regenerateUpstream(repoDir: string, options: UpstreamRepoOptions = {}): Promise<void> {
  const argv = ['createrepo_c', '--quiet', '--no-database', ...(options.createrepoArgs ?? [])];
  if (options.groups) {
    const comps = join(repoDir, '..', `comps-${repoDir.split('/').pop()}.xml`);
    await writeFile(comps, compsXml(options.groups));
    argv.push('--groupfile', comps);
  }
  await runCommand([...argv, repoDir], { timeoutMs: 10 * 60_000 });
  for (const [type, md] of Object.entries(options.extraMetadata ?? {})) {
    const file = join(repoDir, '..', md.fileName);
    await writeFile(file, md.content);
    await runCommand(['modifyrepo_c', `--mdtype=${type}`, file, join(repoDir, 'repodata')], { timeoutMs: 60_000 });
  }
  if (options.signWith) {
    await runCommand(['gpg', '--homedir', options.signWith.home, '--batch', '--yes', '--detach-sign', '--armor', join(repoDir, 'repodata', 'repomd.xml')], { timeoutMs: 60_000 });
    await writeFile(join(repoDir, 'RPM-GPG-KEY-test'), options.signWith.publicKeyArmored);
  }
}

export async function listRepodata(repoDir: string): Promise<string[]> {
  return (await readdir(join(repoDir, 'repodata'))).sort();
}
