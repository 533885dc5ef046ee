/**
 * The kickstart served over real HTTP to real curl, and its `%post` and `%onerror` run for real.
 *
 * `%post` runs chrooted (as Anaconda runs it) in a root that holds the distribution's own repo
 * files with the colliding ids (`baseos`, `appstream`, `highavailability`, pointing at an address
 * with no route) and RHEL 9's dnf.conf (`skip_if_unavailable=False`), inside a private mount and
 * network namespace: only loopback, where a relay forwards the Striker's port over a unix socket to
 * the test's server. Before it, real `dnf --installroot` installs `striker-agent` with gpgcheck off,
 * as Anaconda installs `%packages`; after it, real dnf in that root installs another package from
 * the repo file `%post` wrote, with gpgcheck on, and refuses an unsigned one. The packages are tiny
 * RPMs built here and signed with a test key published as the Striker's. A second root whose
 * `%packages` brought an unsigned package fails the `%post` signature audit, and the rendered
 * `%onerror` (python3, private /tmp and /mnt) reports that failure to the boot timeline.
 */
import { copyFileSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, connect, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fastifyStatic from '@fastify/static';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCommand } from '../../../striker/core/command/run-command.js';
import { MemoryTimeline } from '../../../pxe/boot/timeline.js';
import { kickstartConfigSchema } from '../../../kickstart/config.js';
import { hashToken, memoryExchange, MemoryTokenStore } from '../../../kickstart/registration-token.js';
import { kickstartRoutes, type InstallFailure, type KickstartHost } from '../../../kickstart/ks-routes.js';
import { onerrorLogLines, onerrorLineChars } from '../../../kickstart/render-onerror.js';
import { sampleInput, testRootHash } from '../../fixtures/kickstart/sample-input.js';
import { buildRpms, makeGpgKey, makeUpstreamRepo, signRpms, stopGpgAgents, type TestGpgKey } from '../../support/rpm-build.js';

const work = mkdtempSync(join(tmpdir(), 'ks-post-'));
const logs: string[] = [];
const timeline = new MemoryTimeline();
const tokens = new MemoryTokenStore();
/** The failure reports the routes accepted, and the hash of the token the kickstart was served with. */
const failures: InstallFailure[] = [];
let servedTokenHash = '';
let app: FastifyInstance;
let relay: Server;
let base: string;
let port: number;
let key: TestGpgKey;

/** RHEL 9's /etc/dnf/dnf.conf: an unreachable enabled repo is an error, not skipped. */
const rhel9DnfConf = '[main]\ngpgcheck=1\ninstallonly_limit=3\nclean_requirements_on_remove=True\nbest=True\nskip_if_unavailable=False\n';
const unreachable = 'http://192.0.2.1/almalinux/9';
const almaKey = 'gpgkey=file:///etc/pki/rpm-gpg/RPM-GPG-KEY-AlmaLinux-9';
/** The distribution's repo files as AlmaLinux ships them (one section without an enabled= line). */
const distributionRepos: Record<string, string> = {
  'almalinux-baseos.repo': `[baseos]\nname=AlmaLinux $releasever - BaseOS\nbaseurl=${unreachable}/BaseOS/$basearch/os/\nenabled=1\ngpgcheck=1\n${almaKey}\n`,
  'almalinux-appstream.repo': `[appstream]\nname=AlmaLinux $releasever - AppStream\nbaseurl=${unreachable}/AppStream/$basearch/os/\ngpgcheck=1\n${almaKey}\n\n[appstream-debuginfo]\nname=debug\nbaseurl=${unreachable}/AppStream/debug/\nenabled = 0\n`,
  'almalinux-highavailability.repo': `[highavailability]\nname=AlmaLinux $releasever - HighAvailability\nbaseurl=${unreachable}/HighAvailability/$basearch/os/\nenabled=1\ngpgcheck=1\n${almaKey}\n`,
};

/** An installed system's skeleton: the host's /usr (bound read-only in the namespace), its own /etc. */
function makeRoot(dir: string): void {
  for (const d of ['usr', 'dev', 'proc', 'tmp', 'root', 'var/tmp', 'etc/yum.repos.d', 'etc/dnf', 'etc/ssh']) mkdirSync(join(dir, d), { recursive: true });
  for (const [link, target] of [['bin', 'usr/bin'], ['sbin', 'usr/sbin'], ['lib', 'usr/lib'], ['lib64', 'usr/lib64']]) symlinkSync(target!, join(dir, link!));
  copyFileSync('/etc/ld.so.cache', join(dir, 'etc', 'ld.so.cache'));
  cpSync('/etc/alternatives', join(dir, 'etc', 'alternatives'), { recursive: true, verbatimSymlinks: true });
  writeFileSync(join(dir, 'etc', 'dnf', 'dnf.conf'), rhel9DnfConf);
  for (const [name, text] of Object.entries(distributionRepos)) writeFileSync(join(dir, 'etc', 'yum.repos.d', name), text);
}

beforeAll(async () => {
  key = await makeGpgKey(work, 'repos@striker.test');
  const [agent, tools, unsigned] = await buildRpms(work, ['striker-agent', 'striker-tools', 'striker-unsigned'].map((name) => ({ name, version: '1.0' })));
  await signRpms([agent!, tools!], key);
  await makeUpstreamRepo(join(work, 'mirror', 'striker'), [agent!, tools!, unsigned!]);
  writeFileSync(join(work, 'mirror', 'RPM-GPG-KEY-striker'), key.publicKeyArmored);

  const log = pino({ level: 'debug' }, { write: (line: string) => void logs.push(line) });
  app = Fastify({ loggerInstance: log as FastifyBaseLogger });
  let host: KickstartHost | undefined;
  await app.register(kickstartRoutes({
    hosts: { find: async (id) => (id === host?.hostId ? host : undefined) },
    tokens, timeline, signingKey: Buffer.alloc(32, 3), log,
    config: kickstartConfigSchema.parse({}),
    register: memoryExchange(tokens, async (hostId) => ({ hostId, agentSecret: 'agent-credential-from-lead' })),
    onFailed: async (report) => {
      if (report.tokenHash !== servedTokenHash) return false;
      failures.push(report);
      return true;
    },
  }));
  await app.register(fastifyStatic, { root: join(work, 'mirror'), prefix: '/repos/' });
  base = await app.listen({ host: '127.0.0.1', port: 0 });
  port = Number(new URL(base).port);
  // The namespace reaches this server through a unix socket: inside it, 127.0.0.1:<port> → socket.
  relay = createServer((c) => {
    const upstream = connect(port, '127.0.0.1');
    c.pipe(upstream).pipe(c);
    c.on('error', () => upstream.destroy());
    upstream.on('error', () => c.destroy());
  });
  await new Promise<void>((resolve) => relay.listen(join(work, 'striker.sock'), resolve));

  const { registration: _r, timelineUrl: _t, ...input } = sampleInput('node');
  input.strikerUrl = base;
  input.repos = [{ name: 'striker', url: `${base}/repos/striker/`, gpgKeyUrls: [`${base}/repos/RPM-GPG-KEY-striker`] }];
  host = { hostId: input.host.hostId, reservedIp: '127.0.0.1', input, check: { status: 'ready' } };
}, 180_000);

afterAll(async () => {
  await new Promise<void>((resolve) => relay.close(() => resolve()));
  await app.close();
  await stopGpgAgents(key.home);
  rmSync(work, { recursive: true, force: true });
});

const curl = (url: string, from: string) =>
  runCommand(['curl', '-sS', '--interface', from, '-o', join(work, 'body'), '-w', '%{http_code} %{size_download}', url], { timeoutMs: 10_000 });

const section = (kickstart: string, name: string) => new RegExp(`\\n%${name}(?: [^\\n]*)?\\n([\\s\\S]*?)\\n%end\\n`).exec(kickstart)?.[1];

/** The namespace script: relay, Anaconda's %packages step, %post chrooted, then dnf on the installed root. */
function namespaceScript(post: string): string {
  const w = work;
  const dnfBase = `dnf -y --releasever=9 --disableplugin=local --setopt=cachedir=${w}/cache`;
  writeFileSync(join(w, 'post.sh'), post);
  writeFileSync(join(w, 'relay.mjs'), [
    "import { connect, createServer } from 'node:net';",
    "import { writeFileSync } from 'node:fs';",
    'const [port, sock, ready] = process.argv.slice(2);',
    'createServer((c) => { const u = connect(sock); c.pipe(u).pipe(c); c.on("error", () => u.destroy()); u.on("error", () => c.destroy()); })',
    "  .listen(Number(port), '127.0.0.1', () => writeFileSync(ready, 'ok'));",
  ].join('\n'));
  const bind = (r: string) => [
    `mount --bind /usr ${r}/usr`, `mount -o remount,bind,ro ${r}/usr`, `mount --bind /dev ${r}/dev`, `mount -t proc proc ${r}/proc`,
    `cp ${w}/post.sh ${r}/tmp/post.sh`,
  ];
  const anaconda = (r: string, names: string) =>
    `${dnfBase} --installroot=${r} --setopt=reposdir=/dev/null --nogpgcheck --repofrompath=striker,${base}/repos/striker/ --repo=striker install ${names}`;
  const rc = (name: string, command: string) => `set +e; ${command} > ${w}/${name}.out 2> ${w}/${name}.err; echo $? > ${w}/${name}.rc; set -e`;
  return [
    'set -e',
    'ip link set lo up',
    `${process.execPath} ${w}/relay.mjs ${port} ${w}/striker.sock ${w}/relay.ready & relay=$!`,
    // Stop what this script started when it ends: the relay, and gpg agents dnf may have left.
    `trap 'kill $relay; for h in $(find ${w} -type d -name pubring); do gpgconf --homedir "$h" --kill gpg-agent; done' EXIT`,
    `i=0; while [ ! -e ${w}/relay.ready ] && [ $i -lt 400 ]; do sleep 0.05; i=$((i+1)); done`,
    ...bind(`${w}/root`),
    ...bind(`${w}/root2`),
    rc('anaconda', anaconda(`${w}/root`, 'striker-agent')),
    rc('before-post', `${dnfBase} --installroot=${w}/root install striker-tools`),
    rc('post', `chroot ${w}/root /bin/bash /tmp/post.sh`),
    rc('dnf-tools', `${dnfBase} --installroot=${w}/root install striker-tools`),
    rc('dnf-unsigned', `${dnfBase} --installroot=${w}/root install striker-unsigned`),
    rc('rpm-q', `rpm --root=${w}/root -q --qf '%{NAME} %{RSAHEADER:pgpsig}\\n' striker-agent striker-tools striker-unsigned`),
    rc('replay', `chroot ${w}/root /bin/bash /tmp/post.sh`),
    rc('anaconda2', anaconda(`${w}/root2`, 'striker-agent striker-unsigned')),
    rc('post2', `chroot ${w}/root2 /bin/bash /tmp/post.sh`),
  ].join('\n');
}

const out = (name: string) => readFileSync(join(work, `${name}.out`), 'utf8') + readFileSync(join(work, `${name}.err`), 'utf8');
const rcOf = (name: string) => Number(readFileSync(join(work, `${name}.rc`), 'utf8').trim());

describe('%post and %onerror against a real Striker HTTP server', () => {
  let kickstart = '';

  it('refuses a stranger (curl from 127.0.0.2) with 403 and an empty body', async () => {
    const r = await curl(`${base}/ks/host-node-1.ks`, '127.0.0.2');
    expect(r.stdout).toBe('403 0');
    expect(readFileSync(join(work, 'body'), 'utf8')).toBe('');
  });

  it('serves the kickstart to the host (curl from 127.0.0.1), with striker-agent in %packages', async () => {
    const r = await curl(`${base}/ks/host-node-1.ks`, '127.0.0.1');
    kickstart = readFileSync(join(work, 'body'), 'utf8');
    expect(r.stdout).toBe(`200 ${Buffer.byteLength(kickstart)}`);
    servedTokenHash = hashToken(/"token":"(srt_[A-Za-z0-9_-]{43})"/.exec(kickstart)![1]!);
    expect(kickstart).toContain(`rootpw --iscrypted ${testRootHash}`);
    expect(section(kickstart, 'packages')?.split('\n')).toContain('striker-agent');
  });

  it('runs offline in a root holding the distribution repo files: installs with gpgcheck on, registers, reports', async () => {
    const post = section(kickstart, 'post');
    expect(post).toBeDefined();
    makeRoot(join(work, 'root'));
    makeRoot(join(work, 'root2'));
    const r = await runCommand(['unshare', '--mount', '--net', '--propagation', 'private', 'sh', '-c', namespaceScript(`${post as string}\n`)], { timeoutMs: 540_000, cwd: '/' });
    expect(r.exitCode, r.stderr).toBe(0);
    const root = join(work, 'root');

    // Anaconda's step installed the agent; before %post the distribution's repos break dnf offline.
    expect(rcOf('anaconda'), out('anaconda')).toBe(0);
    expect(rcOf('before-post')).toBe(1);
    expect(out('before-post')).toMatch(/repo '(baseos|appstream|highavailability)'/);

    expect(rcOf('post'), out('post')).toBe(0);
    const repoDir = join(root, 'etc', 'yum.repos.d');
    expect(readFileSync(join(repoDir, 'striker.repo'), 'utf8')).toBe(
      `[striker]\nname=striker (Striker mirror)\nbaseurl=${base}/repos/striker/\nenabled=1\ngpgcheck=1\ngpgkey=${base}/repos/RPM-GPG-KEY-striker\n\n`,
    );
    expect(readFileSync(join(repoDir, 'almalinux-baseos.repo'), 'utf8')).toBe(
      `[baseos]\nenabled=0\nname=AlmaLinux $releasever - BaseOS\nbaseurl=${unreachable}/BaseOS/$basearch/os/\ngpgcheck=1\n${almaKey}\n`,
    );
    expect(readFileSync(join(repoDir, 'almalinux-appstream.repo'), 'utf8')).toBe(
      `[appstream]\nenabled=0\nname=AlmaLinux $releasever - AppStream\nbaseurl=${unreachable}/AppStream/$basearch/os/\ngpgcheck=1\n${almaKey}\n\n[appstream-debuginfo]\nenabled=0\nname=debug\nbaseurl=${unreachable}/AppStream/debug/\n`,
    );
    expect(readFileSync(join(root, 'etc', 'ssh', 'sshd_config.d', '00-striker-root-login.conf'), 'utf8')).toBe('PermitRootLogin prohibit-password\n');
    expect(JSON.parse(readFileSync(join(root, 'etc', 'striker', 'agent.json'), 'utf8'))).toEqual({ strikerUrls: [base], hostId: 'host-node-1', role: 'node' });
    const credentials = join(root, 'etc', 'striker', 'agent-credentials.json');
    expect(JSON.parse(readFileSync(credentials, 'utf8'))).toEqual({ hostId: 'host-node-1', agentSecret: 'agent-credential-from-lead' });
    expect(statSync(credentials).mode & 0o777).toBe(0o600);
    expect(statSync(join(root, 'etc', 'striker')).mode & 0o777).toBe(0o700);

    // After %post, the installed host's own dnf: Striker's repo only, signatures checked.
    expect(rcOf('dnf-tools'), out('dnf-tools')).toBe(0);
    expect(rcOf('dnf-unsigned')).toBe(1);
    expect(out('dnf-unsigned')).toMatch(/striker-unsigned-1\.0-1\.noarch\.rpm.* is not signed/);
    const keyId = (await runCommand(['gpg', '--homedir', key.home, '--with-colons', '--list-keys', key.email], { timeoutMs: 10_000 })).stdout.split('\n').find((l) => l.startsWith('pub:'))!.split(':')[4]!.toLowerCase();
    const installed = out('rpm-q');
    expect(installed).toMatch(new RegExp(`^striker-agent RSA/SHA\\d+, .*Key ID ${keyId}$`, 'm'));
    expect(installed).toMatch(new RegExp(`^striker-tools RSA/SHA\\d+, .*Key ID ${keyId}$`, 'm'));
    expect(installed).toContain('package striker-unsigned is not installed');

    // The registration token works once: a replayed %post fails at registration (curl exit 22).
    expect(rcOf('replay')).toBe(22);
    expect(out('replay')).toContain('403');

    // A root whose %packages brought an unsigned package: the %post signature audit stops the install.
    expect(rcOf('anaconda2'), out('anaconda2')).toBe(0);
    expect(rcOf('post2')).toBe(1);
    expect(out('post2')).toContain('striker: installed packages not signed by a key this Striker trusts: striker-unsigned-1.0-1.noarch');
    // ...and says why, for %onerror.
    expect(readFileSync(join(work, 'root2', 'tmp', 'striker-install-error'), 'utf8')).toBe(
      '%post failed while checking the package signatures (exit 1): packages not signed by a key this Striker trusts: striker-unsigned-1.0-1.noarch\n',
    );
    expect(readFileSync(join(root, 'tmp', 'striker-install-error'), 'utf8')).toBe('%post failed while registering the host with Striker (exit 22)\n');

    expect(timeline.events.map((e) => `${e.step}:${String(e.details.outcome ?? '')}`)).toEqual([
      'kickstart.fetched:refused', 'kickstart.fetched:served', 'host.registered:', 'install.finished:',
    ]);
    expect(tokens.entries.size).toBe(0);
  }, 600_000);

  it('reports the failed install from the rendered %onerror, with the log tails bounded and redacted', async () => {
    const onerror = section(kickstart, 'onerror');
    expect(onerror).toBeDefined();
    writeFileSync(join(work, 'onerror.py'), `${onerror as string}\n`);
    const fake = join(work, 'fake-logs');
    mkdirSync(fake, { recursive: true });
    // What Anaconda's logs hold when that %post fails: its own log, and anaconda.log (long, with a secret).
    writeFileSync(join(fake, 'post.log'), out('post2'));
    const anacondaLog = Array.from({ length: 120 }, (_, i) => `12:00:${String(i).padStart(3, '0')},000 INF anaconda: line ${i}`);
    anacondaLog.push(`12:01:00,000 DBG kickstart: rootpw --iscrypted ${testRootHash}`, `12:01:01,000 ERR ${'x'.repeat(1000)}`);
    writeFileSync(join(fake, 'anaconda.log'), `${anacondaLog.join('\n')}\n`);
    const inner = [
      'set -e',
      // The work dir is under /tmp: keep it reachable at /mnt/work before /tmp becomes empty.
      'mount -t tmpfs tmpfs /mnt', 'mkdir -p /mnt/work /mnt/sysimage/root', `mount --bind ${work} /mnt/work`,
      'mount -t tmpfs tmpfs /tmp',
      'cp /mnt/work/fake-logs/post.log /mnt/sysimage/root/striker-ks-post.log',
      // The reason the failed %post wrote in the installed system's /tmp.
      'mkdir -p /mnt/sysimage/tmp', 'cp /mnt/work/root2/tmp/striker-install-error /mnt/sysimage/tmp/striker-install-error',
      'cp /mnt/work/fake-logs/anaconda.log /tmp/anaconda.log',
      // The installer's own interpreter (%onerror --interpreter), not whatever python3 is first on PATH.
      '/usr/bin/python3 /mnt/work/onerror.py',
    ].join('\n');
    // cwd '/': the checkout may itself be under the /tmp this hides.
    const r = await runCommand(['unshare', '--mount', '--propagation', 'private', 'sh', '-c', inner], { timeoutMs: 120_000, cwd: '/' });
    expect(r.stdout).toContain('install failure reported to Striker');

    const failed = timeline.events.filter((e) => e.step === 'kickstart.failed');
    expect(failed).toHaveLength(1);
    const reported = failed[0]!.details as { hostId: string; reason: string; logs: { file: string; tail: string }[] };
    expect(reported.hostId).toBe('host-node-1');
    const reason = '%post failed while checking the package signatures (exit 1): packages not signed by a key this Striker trusts: striker-unsigned-1.0-1.noarch';
    expect(reported.reason).toBe(reason);
    expect(failures).toEqual([expect.objectContaining({ hostId: 'host-node-1', reason })]);
    expect(reported.logs.map((l) => l.file)).toEqual(['/mnt/sysimage/root/striker-ks-post.log', '/tmp/anaconda.log']);
    expect(reported.logs[0]!.tail).toContain('not signed by a key this Striker trusts: striker-unsigned-1.0-1.noarch');
    const tail = reported.logs[1]!.tail.split('\n');
    expect(tail).toHaveLength(onerrorLogLines);
    expect(tail[0]).toBe('12:00:072,000 INF anaconda: line 72');
    expect(tail[48]).toBe('12:01:00,000 DBG kickstart: rootpw --iscrypted [redacted]');
    expect(tail[49]).toBe(`12:01:01,000 ERR ${'x'.repeat(onerrorLineChars - 17)}`);
    const all = logs.join('\n');
    expect(all).toContain('"msg":"install failed"');
    expect(all).toContain('registration refused');
    expect(all).not.toContain(testRootHash.slice(0, 20));
    expect(all).not.toMatch(/srt_[A-Za-z0-9_-]{10}/);
    expect(all).not.toMatch(/sig=[A-Za-z0-9_-]{10}/);
  }, 180_000);
});
