/**
 * The two RPMs as an operator gets them: `npm run build:rpms` in a clean `git clone` of HEAD
 * (its node_modules a symlink to this checkout's, since `npm ci` would fetch from the network),
 * then the packages read with `rpm -qp`, their units checked by `systemd-analyze verify` in a root
 * holding both packages' files, and `striker-agent` installed by the real `dnf --installroot` from
 * the `striker` repo a real `striker serve` publishes on loopback, with gpgcheck=1 against
 * Striker's key. `nodejs`, `systemd`, `curl` and `/bin/sh` come from a small test repo built here.
 * One set-up (the build) for the whole file; the scenarios run in sequence.
 */
import { copyFile, cp, mkdir, mkdtemp, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { arch, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCommand } from '../../striker/core/command/run-command.js';
import { DnfClient } from '../support/rpm-dnf.js';
import { startServeOnLoopback, type ServeProcess } from '../support/striker-process.js';

const checkout = fileURLToPath(new URL('../..', import.meta.url));
const packageJson = JSON.parse(await readFile(join(checkout, 'package.json'), 'utf8')) as { version: string; engines: { node: string } };
const version = packageJson.version;
/** `nodejs >= 20.19` from engines `>=20.19`. */
const nodeRequire = `nodejs >= ${packageJson.engines.node.replace(/^>=\s*/, '')}`;
const rpmArch = arch() === 'x64' ? 'x86_64' : arch() === 'arm64' ? 'aarch64' : arch();

async function rpmQuery(rpm: string, ...args: string[]): Promise<string[]> {
  const r = await runCommand(['rpm', '-qp', ...args, rpm], { timeoutMs: 60_000 });
  return r.stdout.split('\n').filter((l) => l !== '');
}

/** mode user group path, one per file, as rpm records them. */
async function fileTable(rpm: string): Promise<Map<string, string>> {
  const lines = await rpmQuery(rpm, '--qf', '[%{FILEMODES:perms} %{FILEUSERNAME} %{FILEGROUPNAME} %{FILENAMES}\\n]');
  return new Map(lines.map((l) => {
    const [mode, user, group, path] = l.split(' ');
    return [path!, `${mode} ${user} ${group}`];
  }));
}

async function extract(rpm: string, root: string): Promise<void> {
  await runCommand(['sh', '-c', 'rpm2cpio "$1" | (cd "$2" && cpio -idmu --quiet)', 'extract', rpm, root], { timeoutMs: 300_000 });
}

/** `systemd-analyze verify` of `units` under `root`: the exit code and everything it printed. */
async function verifyUnits(root: string, units: string[]): Promise<{ exitCode: number; output: string }> {
  const r = await runCommand(['systemd-analyze', 'verify', '--man=no', `--root=${root}`, ...units], { timeoutMs: 120_000, okExitCodes: [0, 1] });
  return { exitCode: r.exitCode, output: (r.stdout + r.stderr).trim() };
}

/** A tiny package for the test repo: its spec body after the preamble. */
async function buildTestRpm(dir: string, preamble: string[], install: string[], files: string[]): Promise<string> {
  const top = join(dir, 'rpmbuild');
  const name = preamble.find((l) => l.startsWith('Name:'))!.split(/\s+/)[1]!;
  const spec = join(dir, `${name}.spec`);
  await writeFile(spec, [...preamble, 'License: MIT', 'BuildArch: noarch', 'AutoReqProv: no', '%description', `test package ${name}`, '%install', ...install, '%files', ...files, ''].join('\n'));
  await runCommand(['rpmbuild', '--quiet', '--define', `_topdir ${top}`, '--define', '_build_id_links none', '-bb', spec], { timeoutMs: 120_000 });
  return top;
}

describe('the striker and striker-agent RPMs', () => {
  let work: string;
  let clone: string;
  let agentRpm: string;
  let strikerRpm: string;
  const servers: ServeProcess[] = [];
  const dnfs: DnfClient[] = [];

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'striker-rpms-'));
    clone = join(work, 'clone');
    await runCommand(['git', 'clone', '--quiet', checkout, clone], { timeoutMs: 120_000 });
    await symlink(join(checkout, 'node_modules'), join(clone, 'node_modules'));
    const built = await runCommand(['npm', 'run', 'build:rpms'], { cwd: clone, timeoutMs: 20 * 60_000 });
    expect(built.stdout).toContain('wrote dist/rpms/striker-agent-');
    agentRpm = join(clone, 'dist', 'rpms', `striker-agent-${version}-1.noarch.rpm`);
    strikerRpm = join(clone, 'dist', 'rpms', `striker-${version}-1.${rpmArch}.rpm`);
  }, 25 * 60_000);

  afterAll(async () => {
    for (const s of servers) await s.stop();
    for (const d of dnfs) await d.stop();
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('striker-agent: noarch, the bundled agent, its unit and config, and nodejs >= the engines version', async () => {
    expect(await rpmQuery(agentRpm, '--qf', '%{NAME} %{VERSION} %{ARCH}')).toEqual([`striker-agent ${version} noarch`]);
    expect(await rpmQuery(agentRpm, '-l')).toEqual([
      '/etc/striker',
      '/etc/striker/agent-credentials.json',
      '/etc/striker/agent.json',
      '/usr/bin/striker-agent',
      '/usr/lib/striker-agent',
      '/usr/lib/striker-agent/striker-agent.mjs',
      '/usr/lib/systemd/system/striker-agent.service',
      '/var/lib/striker-agent',
    ]);
    expect(await rpmQuery(agentRpm, '--configfiles')).toEqual(['/etc/striker/agent-credentials.json', '/etc/striker/agent.json']);
    // %config(noreplace) is flag 16, %ghost 64: the credential is owned but never shipped.
    const flags = await rpmQuery(agentRpm, '--qf', '[%{FILEFLAGS} %{FILESIZES} %{FILENAMES}\\n]');
    expect(flags).toContain(`${1 | 16 | 64} 0 /etc/striker/agent-credentials.json`);
    expect(flags.find((l) => l.endsWith(' /etc/striker/agent.json'))!.split(' ')[0]).toBe(String(1 | 16));
    const files = await fileTable(agentRpm);
    expect(files.get('/etc/striker')).toBe('drwx------ root root');
    expect(files.get('/etc/striker/agent.json')).toBe('-rw------- root root');
    expect(files.get('/etc/striker/agent-credentials.json')).toBe('-rw------- root root');
    expect(files.get('/usr/bin/striker-agent')).toBe('-rwxr-xr-x root root');
    expect(files.get('/var/lib/striker-agent')).toBe('drwx------ root root');
    const requires = await rpmQuery(agentRpm, '-R');
    expect(nodeRequire).toMatch(/^nodejs >= 20(\.\d+)*$/);
    expect(requires.filter((r) => !r.startsWith('rpmlib(') && r !== '/bin/sh').sort()).toEqual(['curl', nodeRequire, 'systemd', 'systemd', 'systemd', 'systemd']);
  });

  it('striker: the built app, UI, native addons, production modules only, the agent RPM, a system user and a sample config', async () => {
    expect(await rpmQuery(strikerRpm, '--qf', '%{NAME} %{VERSION} %{ARCH}')).toEqual([`striker ${version} ${rpmArch}`]);
    const list = new Set(await rpmQuery(strikerRpm, '-l'));
    for (const path of [
      '/usr/bin/striker',
      '/usr/lib/striker/bin/striker.js',
      '/usr/lib/striker/package.json',
      '/usr/lib/striker/dist/striker/app/main.js',
      '/usr/lib/striker/dist/striker/db/migrations/0001-history.sql',
      '/usr/lib/striker/ui/build/handler.js',
      '/usr/lib/striker/pxe/dhcp/native/build/Release/bind_to_device.node',
      '/usr/lib/striker/pxe/tftp/native/build/Release/transfer_socket.node',
      '/usr/lib/striker/pxe/ipv6/native/build/Release/icmp6_socket.node',
      '/usr/lib/striker/repo-sync/native/build/Release/send_file.node',
      '/usr/lib/striker/node_modules/fastify/package.json',
      '/usr/lib/striker/node_modules/pg/package.json',
      '/usr/lib/systemd/system/striker.service',
      '/usr/lib/sysusers.d/striker.conf',
      '/etc/striker/striker.yaml',
      `/usr/share/striker/rpms/striker-agent-${version}-1.noarch.rpm`,
      '/var/lib/striker',
    ]) expect(list, path).toContain(path);
    for (const dev of ['vitest', 'typescript', 'esbuild', 'dependency-cruiser', 'svelte']) {
      expect(list, dev).not.toContain(`/usr/lib/striker/node_modules/${dev}`);
    }
    expect([...list].some((p) => p.startsWith('/usr/lib/striker/dist/rpms'))).toBe(false);
    expect(await rpmQuery(strikerRpm, '--configfiles')).toEqual(['/etc/striker/striker.yaml']);
    const files = await fileTable(strikerRpm);
    expect(files.get('/etc/striker/striker.yaml')).toBe('-rw-r----- root striker');
    expect(files.get('/var/lib/striker')).toBe('drwxr-x--- striker striker');
    const requires = await rpmQuery(strikerRpm, '-R');
    for (const r of [nodeRequire, 'postgresql-server', 'createrepo_c', 'gnupg2', 'rpm-sign', 'shadow-utils', 'systemd']) expect(requires, r).toContain(r);
    const pre = (await runCommand(['rpm', '-qp', '--scripts', strikerRpm], { timeoutMs: 60_000 })).stdout;
    expect(pre).toMatch(/useradd -r -g striker -d \/var\/lib\/striker -s \/sbin\/nologin/);
  });

  it('both units pass systemd-analyze verify with the packages\' files in place; a broken directive is caught', async () => {
    const root = join(work, 'unit-root');
    await mkdir(root);
    await extract(agentRpm, root);
    await extract(strikerRpm, root);
    // The units' dependencies (sysinit.target, network-online.target…) come from this machine's systemd.
    await cp('/lib/systemd/system', join(root, 'usr/lib/systemd/system'), { recursive: true, force: false, errorOnExist: false, verbatimSymlinks: true });
    expect(await verifyUnits(root, ['striker.service', 'striker-agent.service'])).toEqual({ exitCode: 0, output: '' });
    const unitDir = join(root, 'usr/lib/systemd/system');
    const text = await readFile(join(unitDir, 'striker.service'), 'utf8');
    await writeFile(join(unitDir, 'striker-typo.service'), text.replace('Restart=on-failure', 'Restart=on-failures'));
    const typo = await verifyUnits(root, ['striker-typo.service']);
    expect(typo.output).toContain('Failed to parse service restart specifier');
  });

  it('striker serve publishes the agent, signed by its key, and dnf installs it into an empty root with gpgcheck=1', async () => {
    // The test repo: nodejs 20 (with the epoch RHEL gives it), systemd, curl, and /bin/sh (busybox) for the scriptlets.
    const base = join(work, 'base-build');
    await mkdir(base);
    const top = await buildTestRpm(base, ['Name: nodejs', 'Epoch: 1', 'Version: 20.19.0', 'Release: 1', 'Summary: stand-in for Node.js 20'],
      ['mkdir -p %{buildroot}/usr/share/nodejs-test', 'echo 20.19.0 > %{buildroot}/usr/share/nodejs-test/version'], ['/usr/share/nodejs-test/version']);
    await buildTestRpm(base, ['Name: systemd', 'Version: 252', 'Release: 1', 'Summary: stand-in for systemd'],
      ['mkdir -p %{buildroot}/usr/lib/systemd/system'], ['%dir /usr/lib/systemd/system']);
    await buildTestRpm(base, ['Name: curl', 'Version: 7.76.1', 'Release: 1', 'Summary: stand-in for curl (file.fetch receives with it)'],
      ['mkdir -p %{buildroot}/usr/share/curl-test', 'echo 7.76.1 > %{buildroot}/usr/share/curl-test/version'], ['/usr/share/curl-test/version']);
    await buildTestRpm(base, ['Name: test-sh', 'Version: 1', 'Release: 1', 'Summary: /bin/sh for scriptlets', 'Provides: /bin/sh',
      // busybox is machine code in a noarch stand-in: fine for this machine's installroot.
      '%global _binaries_in_noarch_packages_terminate_build 0'],
      ['mkdir -p %{buildroot}/bin', 'cp /bin/busybox %{buildroot}/bin/sh'], ['/bin/sh']);
    const baseRepo = join(work, 'base-repo');
    await cp(join(top, 'RPMS', 'noarch'), baseRepo, { recursive: true });
    await runCommand(['createrepo_c', '--quiet', baseRepo], { timeoutMs: 120_000 });

    const striker = await startServeOnLoopback({ STRIKER_DATA_DIR: join(work, 'serve-data'), STRIKER_REPOS__OWN_PACKAGES_DIR: join(clone, 'dist', 'rpms') });
    servers.push(striker);
    const health = (await (await fetch(`${striker.url}/api/health`)).json()) as { problems: unknown[] };
    expect(health.problems).toEqual([]);
    expect((await fetch(`${striker.url}/repos/striker/repodata/repomd.xml.asc`)).status).toBe(200);

    const dnf = new DnfClient(join(work, 'dnf'), [
      { id: 'striker', baseurl: `${striker.url}/repos/striker/`, gpgKeys: [`${striker.url}/repos/RPM-GPG-KEY-striker`], repoGpgcheck: true },
      { id: 'test-base', baseurl: `file://${baseRepo}` },
    ]);
    dnfs.push(dnf);
    const install = await dnf.run('install', 'striker-agent');
    expect(install.exitCode, install.stderr + install.stdout).toBe(0);
    expect(await dnf.installed()).toEqual(expect.arrayContaining([`striker-agent-${version}`, 'nodejs-20.19.0']));
    const root = join(work, 'dnf', 'root');
    expect((await stat(join(root, 'usr/lib/striker-agent/striker-agent.mjs'))).size).toBeGreaterThan(100_000);
    expect((await stat(join(root, 'etc/striker/agent.json'))).mode & 0o777).toBe(0o600);
    expect((await stat(join(root, 'etc/striker'))).mode & 0o777).toBe(0o700);
    const sig = await runCommand(['rpm', '--root', root, '-q', '--qf', '%{RSAHEADER:pgpsig}', 'striker-agent'], { timeoutMs: 60_000 });
    expect(sig.stdout).toMatch(/^RSA\/SHA\d+, .*Key ID [0-9a-f]{16}$/);
    // …by the one key dnf imported, from RPM-GPG-KEY-striker (gpg-pubkey's VERSION is the key id's last 8 hex digits).
    const keys = await runCommand(['rpm', '--root', root, '-q', 'gpg-pubkey', '--qf', '%{VERSION}\n'], { timeoutMs: 60_000 });
    expect(keys.stdout.trim().split('\n')).toHaveLength(1);
    expect(sig.stdout.trim().endsWith(keys.stdout.trim())).toBe(true);
    // What was installed runs: the bundle on this machine's Node prints its package's version.
    const bundled = await runCommand([process.execPath, join(root, 'usr/lib/striker-agent/striker-agent.mjs'), '--version'], { timeoutMs: 30_000 });
    expect(bundled.stdout.trim()).toBe(`${version}-1`);
  }, 10 * 60_000);

  it('dnf with gpgcheck=1 refuses the same package unsigned, as built', async () => {
    const unsigned = join(work, 'unsigned-repo');
    await mkdir(unsigned);
    await copyFile(agentRpm, join(unsigned, `striker-agent-${version}-1.noarch.rpm`));
    await runCommand(['createrepo_c', '--quiet', unsigned], { timeoutMs: 120_000 });
    const striker = servers[0]!;
    const dnf = new DnfClient(join(work, 'dnf-unsigned'), [
      { id: 'striker', baseurl: `file://${unsigned}`, gpgKeys: [`${striker.url}/repos/RPM-GPG-KEY-striker`] },
      { id: 'test-base', baseurl: `file://${join(work, 'base-repo')}` },
    ]);
    dnfs.push(dnf);
    const install = await dnf.run('install', 'striker-agent');
    expect(install.exitCode).toBe(1);
    expect(install.stdout + install.stderr).toMatch(/not signed|GPG check FAILED/i);
  }, 5 * 60_000);

  it('a Striker without an agent RPM says so in its health, and offers no striker repo', async () => {
    const missing = join(work, 'no-rpms-here');
    const striker = await startServeOnLoopback({ STRIKER_DATA_DIR: join(work, 'serve-empty'), STRIKER_REPOS__OWN_PACKAGES_DIR: missing });
    servers.push(striker);
    const health = (await (await fetch(`${striker.url}/api/health`)).json()) as { status: string; problems: { source: string; message: string }[] };
    expect(health.problems).toEqual([{ source: 'repos.striker', message: expect.stringContaining(`no striker-agent RPM in ${missing} (repos.ownPackagesDir)`) }]);
    expect((await fetch(`${striker.url}/repos/striker/repodata/repomd.xml`)).status).toBe(404);
  }, 5 * 60_000);
});
