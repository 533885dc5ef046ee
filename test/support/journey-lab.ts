/**
 * The world of the newcomer journey (test/e2e/ui/newcomer-journey.test.ts): a network namespace
 * `uj-<tag>` whose bridge `br0` carries 10.201.4.1/16 — the address the setup wizard proposes for
 * this Striker on the back-channel network (BCN) — with tap devices for QEMU machines; the built
 * `striker serve` running inside it on its embedded PostgreSQL (a fresh Striker: nothing
 * configured, no user); a site repo served over HTTP inside it (busybox httpd on the namespace's
 * loopback); and Chromium started inside it (through a wrapper that enters the namespace), so the
 * browser, the Striker and the machines share one network and nothing reaches the host's. The
 * browser opens the Striker on the namespace's loopback.
 * `down()` ends what was started here, by pid, and deletes the namespace. Spawns with argv arrays.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { killChildren } from './kill-children.js';
import { requireBuilt, STRIKER_MAIN } from './striker-process.js';

/** This Striker's BCN address as the wizard proposes it, and the BCN it proposes. */
export const BCN_ADDRESS = '10.201.4.1';
export const BCN_SUBNET = '10.201.0.0/16';
export const STRIKER_PORT = 8080;
const REPO_PORT = 8081;
export const JOURNEY_VIEWPORT = { width: 1280, height: 800 };

function must(argv: string[], timeoutMs = 20_000): string {
  const r = spawnSync(argv[0]!, argv.slice(1), { encoding: 'utf8', timeout: timeoutMs });
  if (r.status !== 0) throw new Error(`${argv.join(' ')} exited ${r.status ?? r.signal}: ${r.stderr}${r.error?.message ?? ''}`);
  return r.stdout;
}

export class JourneyLab {
  readonly ns: string;
  readonly dir: string;
  /**
   * The Striker as the browser reaches it: on loopback, as from the Striker's own console or an
   * SSH tunnel (the first admin can only be created from there).
   */
  readonly url = `http://127.0.0.1:${STRIKER_PORT}`;
  /** The site repo as the Striker reaches it. */
  readonly repoUrl = `http://127.0.0.1:${REPO_PORT}/`;
  private readonly processes: ChildProcess[] = [];
  private serve: ChildProcess | undefined;
  private serveLog = '';
  private browser: Browser | undefined;
  private taps = 0;

  constructor(tag: string) {
    this.ns = `uj-${tag}`;
    this.dir = mkdtempSync(join(tmpdir(), `${this.ns}-`));
    spawnSync('ip', ['netns', 'del', this.ns]);
    must(['ip', 'netns', 'add', this.ns]);
    must(['ip', '-n', this.ns, 'link', 'set', 'lo', 'up']);
    must(['ip', '-n', this.ns, 'link', 'add', 'br0', 'type', 'bridge']);
    must(['ip', '-n', this.ns, 'addr', 'add', `${BCN_ADDRESS}/16`, 'dev', 'br0']);
    must(['ip', '-n', this.ns, 'link', 'set', 'br0', 'up']);
  }

  /** A new tap device on the bridge, for one QEMU machine. */
  tap(): string {
    const name = `tap${this.taps++}`;
    must(['ip', '-n', this.ns, 'tuntap', 'add', 'dev', name, 'mode', 'tap']);
    must(['ip', '-n', this.ns, 'link', 'set', name, 'master', 'br0']);
    must(['ip', '-n', this.ns, 'link', 'set', name, 'up']);
    return name;
  }

  private spawnIn(argv: string[]): ChildProcess {
    const proc = spawn('ip', ['netns', 'exec', this.ns, ...argv], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.processes.push(proc);
    return proc;
  }

  /** Serves `dir` (a repo: Packages/ and repodata/) at `repoUrl`. */
  serveRepo(dir: string): void {
    this.spawnIn(['busybox', 'httpd', '-f', '-p', `127.0.0.1:${REPO_PORT}`, '-h', dir]);
  }

  /** Starts a fresh `striker serve` (its own data directory and embedded PostgreSQL) and waits until it answers. */
  async startStriker(): Promise<void> {
    requireBuilt();
    const data = join(this.dir, 'striker-data');
    mkdirSync(data, { recursive: true });
    const env = ['env', `STRIKER_DATA_DIR=${data}`, 'STRIKER_HTTP__HOST=0.0.0.0', `STRIKER_HTTP__PORT=${STRIKER_PORT}`, 'STRIKER_LOG__LEVEL=warn'];
    const proc = this.spawnIn([...env, process.execPath, STRIKER_MAIN, 'serve']);
    this.serve = proc;
    proc.stderr!.on('data', (d: Buffer) => (this.serveLog = (this.serveLog + d.toString()).slice(-20_000)));
    let out = '';
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`striker serve did not start: ${this.serveLog.slice(-3000)}`)), 180_000);
      proc.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        if (/running at /.test(out)) {
          clearTimeout(timer);
          resolve();
        }
      });
      proc.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`striker serve exited ${code}: ${this.serveLog.slice(-3000)}`));
      });
    });
  }

  /** What `striker serve` wrote on stderr lately (for failure messages). */
  strikerLog(): string {
    return this.serveLog;
  }

  /** Chromium (Debian's /usr/bin/chromium) inside the namespace, one page at 1280×800. */
  async launchBrowser(): Promise<Page> {
    const wrapper = join(this.dir, 'chromium-in-ns');
    writeFileSync(wrapper, `#!/bin/sh\nexec ip netns exec ${this.ns} /usr/bin/chromium "$@"\n`, { mode: 0o755 });
    this.browser = await chromium.launch({
      executablePath: wrapper,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    const context = await this.browser.newContext({ viewport: JOURNEY_VIEWPORT });
    const page = await context.newPage();
    page.setDefaultTimeout(60_000);
    return page;
  }

  async down(): Promise<void> {
    await this.browser?.close().catch(() => undefined);
    // SIGTERM first, so serve stops its embedded PostgreSQL; whatever is left is SIGKILLed.
    const serve = this.serve;
    if (serve && serve.exitCode === null && serve.signalCode === null) {
      const exited = new Promise((r) => serve.once('exit', r));
      serve.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 30_000))]);
    }
    await killChildren(this.processes);
    spawnSync('ip', ['netns', 'del', this.ns]);
    rmSync(this.dir, { recursive: true, force: true });
  }
}
