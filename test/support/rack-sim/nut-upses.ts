/**
 * UPSes for a rack simulation: NUT's `dummy-ups` driver, one per UPS, served by one `upsd` on
 * 127.0.0.1 (a free port), read with the real `upsc` as a Striker reads a real UPS (LAB-CLUSTER.md
 * section 2). Each UPS's state is a `<name>.dev` file in upsc's dump format; `set` rewrites it
 * (dummy-ups re-reads a `.dev` file when its mtime changes) and waits until upsc shows the new
 * status. The drivers and upsd run in the foreground as children of the test (they drop to the
 * `nut` user themselves), and `stop` ends exactly those, by pid.
 */
import { type ResultPromise, execa } from 'execa';
import { chmod, chown, mkdir, mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../../striker/core/net/free-port.js';
import { runCommand } from '../../../striker/core/command/run-command.js';
import { waitFor } from '../cluster-lab/cluster-lab.js';

export interface UpsState {
  /** `OL`, `OB DISCHRG`, `OB DISCHRG LB`, `OL CHRG`… */
  status: string;
  chargePct: number;
  runtimeS: number;
}

export const mainsState: UpsState = { status: 'OL', chargePct: 100, runtimeS: 3600 };

function devFile(name: string, s: UpsState): string {
  return [
    `battery.charge: ${s.chargePct}`, `battery.runtime: ${s.runtimeS}`, 'battery.voltage: 27.0', 'input.voltage: 230.0',
    'ups.load: 23', 'ups.mfr: APC', 'ups.model: Smart-UPS 1500', `ups.serial: SIM-${name}`, `ups.status: ${s.status}`, '',
  ].join('\n');
}

async function nutIds(): Promise<{ uid: number; gid: number }> {
  const uid = Number((await runCommand(['id', '-u', 'nut'], { timeoutMs: 5000 })).stdout.trim());
  const gid = Number((await runCommand(['id', '-g', 'nut'], { timeoutMs: 5000 })).stdout.trim());
  return { uid, gid };
}

export class NutUpses {
  private readonly children: ResultPromise[] = [];
  /** The mtime (whole seconds) each UPS's state file was last given. */
  private readonly lastWrite = new Map<string, number>();

  private constructor(readonly dir: string, readonly port: number, readonly names: readonly string[], private readonly env: Record<string, string>) {}

  /** `upsc` target of a UPS: `<name>@127.0.0.1:<port>`. */
  target(name: string): string {
    return `${name}@127.0.0.1:${this.port}`;
  }

  static async start(names: readonly string[], initial: UpsState = mainsState): Promise<NutUpses> {
    const dir = await mkdtemp(join(tmpdir(), 'rack-nut-'));
    const { uid, gid } = await nutIds();
    const etc = join(dir, 'etc');
    const state = join(dir, 'state');
    await mkdir(etc);
    await mkdir(state);
    await chmod(dir, 0o755);
    const port = await freePort();
    const files: Record<string, string> = {
      'ups.conf': `pollinterval = 1\n${names.map((n) => `[${n}]\n  driver = dummy-ups\n  port = ${join(etc, `${n}.dev`)}\n  desc = "rack simulator UPS ${n}"\n`).join('')}`,
      'upsd.conf': `LISTEN 127.0.0.1 ${port}\n`,
      'upsd.users': '[monitor]\n  password = monitorpw\n  upsmon secondary\n',
      'nut.conf': 'MODE=standalone\n',
      ...Object.fromEntries(names.map((n) => [`${n}.dev`, devFile(n, initial)])),
    };
    for (const [f, text] of Object.entries(files)) {
      await writeFile(join(etc, f), text, { mode: 0o640 });
      await chown(join(etc, f), 0, gid);
    }
    await chown(etc, 0, gid);
    await chmod(etc, 0o750);
    await chown(state, uid, gid);
    await chmod(state, 0o770);
    const env = { NUT_CONFPATH: etc, NUT_STATEPATH: state, NUT_ALTPIDPATH: state };
    const sim = new NutUpses(dir, port, names, env);
    try {
      for (const n of names) sim.spawn(`driver-${n}`, ['/lib/nut/dummy-ups', '-a', n, '-F', '-u', 'nut']);
      // upsd connects to the drivers' sockets; give them a moment to create them, then start it.
      await waitFor('dummy-ups drivers create their sockets', 10_000, async () => {
        const { stdout } = await runCommand(['ls', state], { timeoutMs: 5000 });
        return names.every((n) => stdout.split('\n').includes(`dummy-ups-${n}`));
      }, 200);
      sim.spawn('upsd', ['/lib/nut/upsd', '-F', '-u', 'nut']);
      for (const n of names) await sim.waitForStatus(n, initial.status);
    } catch (error) {
      await sim.stop();
      throw error;
    }
    return sim;
  }

  private spawn(name: string, argv: string[]): void {
    const child = execa(argv[0]!, argv.slice(1), { env: this.env, stdin: 'ignore', stdout: { file: join(this.dir, `${name}.log`) }, stderr: { file: join(this.dir, `${name}.err`) }, reject: false });
    this.children.push(child);
  }

  /** The UPS's variables as the real upsc prints them. */
  async read(name: string): Promise<Record<string, string>> {
    const { stdout } = await runCommand(['upsc', this.target(name)], { timeoutMs: 10_000 });
    return Object.fromEntries(stdout.split('\n').filter((l) => l.includes(': ')).map((l) => [l.slice(0, l.indexOf(': ')), l.slice(l.indexOf(': ') + 2)]));
  }

  async waitForStatus(name: string, status: string): Promise<void> {
    await waitFor(`UPS ${name} reports ${status} through upsd`, 20_000, async () => (await this.read(name))['ups.status'] === status, 300);
  }

  /** Rewrites the UPS's state file and waits until upsc reports the new status and charge. */
  async set(name: string, s: UpsState): Promise<void> {
    if (!this.names.includes(name)) throw new Error(`no simulated UPS ${name} (have ${this.names.join(', ')})`);
    const file = join(this.dir, 'etc', `${name}.dev`);
    await writeFile(file, devFile(name, s));
    // dummy-ups re-reads the file when its mtime (whole seconds) changes: two writes within one
    // second would look like one, so each write gets a later second than the one before.
    const second = Math.max(Math.floor(Date.now() / 1000), (this.lastWrite.get(name) ?? 0) + 1);
    this.lastWrite.set(name, second);
    await utimes(file, second, second);
    await waitFor(`UPS ${name} reports ${s.status} at ${s.chargePct} %`, 20_000, async () => {
      const v = await this.read(name);
      return v['ups.status'] === s.status && v['battery.charge'] === String(s.chargePct) && v['battery.runtime'] === String(s.runtimeS);
    }, 300);
  }

  async stop(): Promise<void> {
    for (const child of this.children.reverse()) {
      if (child.pid !== undefined && child.exitCode === null) child.kill('SIGTERM');
      await Promise.race([child, new Promise((r) => setTimeout(r, 5000))]);
      if (child.pid !== undefined && child.exitCode === null) child.kill('SIGKILL');
    }
    if (process.env['KEEP_RACK_SIM'] !== '1') await rm(this.dir, { recursive: true, force: true });
  }
}
