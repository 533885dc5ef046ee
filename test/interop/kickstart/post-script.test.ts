/**
 * The kickstart served over real HTTP to real curl, and its `%post` run for real by bash: in a
 * private mount namespace with an overlay over /etc (so the host's /etc is untouched) and a
 * stand-in `dnf` on PATH. The script must write the repo file and agent config, register with
 * the one-time token and report "install finished" to the boot timeline. A stranger's curl
 * (source 127.0.0.2) gets 403 and nothing; running the %post a second time is refused at the
 * registration step (replayed token) and the script fails, as Anaconda's --erroronfail needs.
 */
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCommand } from '../../../striker/core/command/run-command.js';
import { MemoryTimeline } from '../../../pxe/boot/timeline.js';
import { kickstartConfigSchema } from '../../../kickstart/config.js';
import { MemoryTokenStore } from '../../../kickstart/registration-token.js';
import { kickstartRoutes, type KickstartHost } from '../../../kickstart/ks-routes.js';
import { sampleInput, testRootHash } from '../../fixtures/kickstart/sample-input.js';

const work = mkdtempSync(join(tmpdir(), 'ks-post-'));
const logs: string[] = [];
const timeline = new MemoryTimeline();
const tokens = new MemoryTokenStore();
let app: FastifyInstance;
let base: string;

beforeAll(async () => {
  const log = pino({ level: 'debug' }, { write: (line: string) => void logs.push(line) });
  app = Fastify({ loggerInstance: log as FastifyBaseLogger });
  let host: KickstartHost | undefined;
  await app.register(kickstartRoutes({
    hosts: { find: async (id) => (id === host?.hostId ? host : undefined) },
    tokens, timeline, signingKey: Buffer.alloc(32, 3), log,
    config: kickstartConfigSchema.parse({}),
    onRegistered: async (hostId) => ({ hostId, agentSecret: 'agent-credential-from-lead' }),
  }));
  base = await app.listen({ host: '127.0.0.1', port: 0 });
  const { registration: _r, timelineUrl: _t, ...input } = sampleInput('node');
  input.strikerUrl = base;
  input.repos = [{ name: 'striker', url: `${base}/repo/striker/`, gpgcheck: false }];
  host = { hostId: input.host.hostId, reservedIp: '127.0.0.1', input, check: { status: 'ready' } };
});

afterAll(async () => {
  await app.close();
  rmSync(work, { recursive: true, force: true });
});

const curl = (url: string, from: string) =>
  runCommand(['curl', '-sS', '--interface', from, '-o', join(work, 'body'), '-w', '%{http_code} %{size_download}', url], { timeoutMs: 10_000 });

/** Runs the %post with bash in a private mount namespace, /etc overlaid onto `upper`. */
async function runPost(post: string, upper: string) {
  const wdir = `${upper}.work`;
  const bin = join(work, 'bin');
  mkdirSync(upper, { recursive: true });
  mkdirSync(wdir, { recursive: true });
  mkdirSync(bin, { recursive: true });
  writeFileSync(join(bin, 'dnf'), `#!/bin/sh\necho "$@" >> ${join(work, 'dnf-calls')}\n`);
  chmodSync(join(bin, 'dnf'), 0o755);
  writeFileSync(join(work, 'post.sh'), post);
  const inner = `mount -t overlay overlay -o lowerdir=/etc,upperdir=${upper},workdir=${wdir} /etc && exec bash ${join(work, 'post.sh')}`;
  return runCommand(['unshare', '--mount', '--propagation', 'private', 'sh', '-c', inner], {
    timeoutMs: 60_000, okExitCodes: [0, 1, 22], env: { PATH: `${bin}:${process.env.PATH ?? '/usr/bin:/bin'}` },
  });
}

describe('%post against a real Striker HTTP server', () => {
  let kickstart = '';

  it('refuses a stranger (curl from 127.0.0.2) with 403 and an empty body', async () => {
    const r = await curl(`${base}/ks/host-node-1.ks`, '127.0.0.2');
    expect(r.stdout).toBe('403 0');
    expect(readFileSync(join(work, 'body'), 'utf8')).toBe('');
  });

  it('serves the kickstart to the host (curl from 127.0.0.1)', async () => {
    const r = await curl(`${base}/ks/host-node-1.ks`, '127.0.0.1');
    kickstart = readFileSync(join(work, 'body'), 'utf8');
    expect(r.stdout).toBe(`200 ${Buffer.byteLength(kickstart)}`);
    expect(kickstart).toContain(`rootpw --iscrypted ${testRootHash}`);
  });

  it('runs the %post: repo file, agent config, agent install, registration, install finished', async () => {
    const post = /\n%post [^\n]*\n([\s\S]*?)\n%end\n/.exec(kickstart)?.[1];
    expect(post).toBeDefined();
    const upper = join(work, 'etc-1');
    const r = await runPost(`${post as string}\n`, upper);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(readFileSync(join(upper, 'yum.repos.d', 'striker.repo'), 'utf8')).toBe(
      `[striker]\nname=striker (Striker mirror)\nbaseurl=${base}/repo/striker/\nenabled=1\ngpgcheck=0\n\n`,
    );
    expect(JSON.parse(readFileSync(join(upper, 'striker', 'agent.json'), 'utf8'))).toEqual({ strikerUrl: base, hostId: 'host-node-1', role: 'node' });
    const credentials = join(upper, 'striker', 'agent-credentials.json');
    expect(JSON.parse(readFileSync(credentials, 'utf8'))).toEqual({ hostId: 'host-node-1', agentSecret: 'agent-credential-from-lead' });
    expect(statSync(credentials).mode & 0o777).toBe(0o600);
    expect(statSync(join(upper, 'striker')).mode & 0o777).toBe(0o700);
    expect(readFileSync(join(work, 'dnf-calls'), 'utf8')).toBe('-y install striker-agent\n');
    expect(timeline.events.map((e) => `${e.step}:${String(e.details.outcome ?? '')}`)).toEqual([
      'kickstart.fetched:refused', 'kickstart.fetched:served', 'host.registered:', 'install.finished:',
    ]);
    expect(tokens.entries.size).toBe(0);
  });

  it('fails the %post when it is replayed: the registration token works once', async () => {
    const post = /\n%post [^\n]*\n([\s\S]*?)\n%end\n/.exec(kickstart)?.[1] as string;
    const r = await runPost(`${post}\n`, join(work, 'etc-2'));
    expect(r.exitCode).toBe(22);
    expect(r.stderr).toContain('403');
    expect(timeline.events.filter((e) => e.step === 'host.registered')).toHaveLength(1);
    expect(timeline.events.filter((e) => e.step === 'install.finished')).toHaveLength(1);
    const all = logs.join('\n');
    expect(all).toContain('registration refused');
    expect(all).not.toContain(testRootHash.slice(0, 20));
    expect(all).not.toMatch(/srt_[A-Za-z0-9_-]{10}/);
    expect(all).not.toMatch(/sig=[A-Za-z0-9_-]{10}/);
  });
});
