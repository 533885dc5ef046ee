/**
 * Test helper: the real `dnf` as a client, never touching the host's configuration (LAB.md
 * "RPM repos"): `--disableplugin=local`, `reposdir=/dev/null`, a private cachedir, the repo given
 * with `--repofrompath` and its gpg options with `--setopt=<id>.…`, installing into an
 * `--installroot`. gpg agents that `repo_gpgcheck` starts under the cachedir are stopped by `stop`.
 */
import { mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { runCommand, type CommandResult } from '../../striker/core/command/run-command.js';

export interface DnfRepo {
  id: string;
  baseurl: string;
  /** gpgkey URLs (file:// or http://); with none, gpgcheck is off. */
  gpgKeys?: string[];
  repoGpgcheck?: boolean;
}

export class DnfClient {
  constructor(readonly dir: string, readonly repos: readonly DnfRepo[]) {}

  argv(...args: string[]): string[] {
    const base = ['dnf', '-y', '--disableplugin=local', '--releasever=9', '--setopt=reposdir=/dev/null', `--setopt=cachedir=${join(this.dir, 'cache')}`,
      '--setopt=install_weak_deps=False', '--setopt=skip_if_unavailable=False', `--installroot=${join(this.dir, 'root')}`,
      `--setopt=persistdir=${join(this.dir, 'persist')}`];
    for (const r of this.repos) {
      base.push(`--repofrompath=${r.id},${r.baseurl}`);
      const gpg = (r.gpgKeys?.length ?? 0) > 0;
      base.push(`--setopt=${r.id}.gpgcheck=${gpg ? 1 : 0}`, `--setopt=${r.id}.repo_gpgcheck=${r.repoGpgcheck ? 1 : 0}`);
      if (gpg) base.push(`--setopt=${r.id}.gpgkey=${r.gpgKeys!.join(' ')}`);
    }
    return [...base, ...args];
  }

  async run(...args: string[]): Promise<CommandResult> {
    await mkdir(join(this.dir, 'root'), { recursive: true });
    return runCommand(this.argv(...args), { timeoutMs: 180_000, okExitCodes: [0, 1] });
  }

  async installed(): Promise<string[]> {
    const r = await runCommand(['rpm', '--root', join(this.dir, 'root'), '-qa', '--qf', '%{NAME}-%{VERSION}\n'], { timeoutMs: 60_000 });
    return r.stdout.split('\n').filter((l) => l !== '' && !l.startsWith('gpg-pubkey-')).sort();
  }

  async stop(): Promise<void> {
    const walk = async (dir: string): Promise<void> => {
      const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
      for (const e of entries) {
        if (!e.isDirectory()) continue;
        const p = join(dir, e.name);
        if (e.name === 'pubring') await runCommand(['gpgconf', '--homedir', p, '--kill', 'gpg-agent'], { timeoutMs: 10_000 }).catch(() => {});
        else await walk(p);
      }
    };
    await walk(this.dir);
  }
}
