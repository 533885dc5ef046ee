/**
 * Striker's own repo signing key. A republished repo has a new `repomd.xml` (createrepo_c), so
 * the upstream `repomd.xml.asc` no longer matches it; Striker signs its repomd with its own key
 * (kept in `<dataDir>/repos/gnupg`) and publishes the public half as `RPM-GPG-KEY-striker`.
 * Clients trust that key for `repo_gpgcheck` and the upstream key for package `gpgcheck`.
 */
import { mkdir, readFile, writeFile, chmod } from 'node:fs/promises';
import type { CommandRunner } from '../../striker/core/command/run-command.js';

export interface RepoSigner {
  /** Writes `<repomdPath>.asc`, an armored detached signature. */
  sign(repomdPath: string, signal?: AbortSignal): Promise<void>;
  publicKeyArmored(): Promise<string>;
}

export const signerUid = 'Striker repository signing key <repos@striker.invalid>';

export class GpgRepoSigner implements RepoSigner {
  private ready: Promise<void> | undefined;

  constructor(private readonly home: string, private readonly runner: CommandRunner) {}

  private base(): string[] {
    return ['gpg', '--homedir', this.home, '--batch', '--quiet', '--pinentry-mode', 'loopback', '--passphrase', ''];
  }

  /** Creates the key once (RSA 3072, no passphrase: the appliance signs unattended). */
  async ensureKey(): Promise<void> {
    await mkdir(this.home, { recursive: true });
    await chmod(this.home, 0o700);
    const list = await this.runner(['gpg', '--homedir', this.home, '--batch', '--with-colons', '--list-secret-keys'], { timeoutMs: 30_000, okExitCodes: [0, 2] });
    if (/^sec:/m.test(list.stdout)) return;
    try {
      await this.runner([...this.base(), '--quick-generate-key', signerUid, 'rsa3072', 'sign', 'never'], { timeoutMs: 120_000 });
    } finally {
      await this.stopAgent();
    }
  }

  async sign(repomdPath: string, signal?: AbortSignal): Promise<void> {
    this.ready ??= this.ensureKey().catch((error: unknown) => { this.ready = undefined; throw error; });
    await this.ready;
    try {
      await this.runner([...this.base(), '--yes', '--local-user', signerUid, '--detach-sign', '--armor', '--output', `${repomdPath}.asc`, repomdPath], { timeoutMs: 60_000, ...(signal ? { signal } : {}) });
    } finally {
      await this.stopAgent();
    }
  }

  /**
   * Adds this key's signature to each RPM's header in place (`rpmsign --addsign`), so hosts that
   * trust `RPM-GPG-KEY-striker` install them with `gpgcheck=1`.
   */
  async signPackages(files: readonly string[], signal?: AbortSignal): Promise<void> {
    if (files.length === 0) return;
    this.ready ??= this.ensureKey().catch((error: unknown) => { this.ready = undefined; throw error; });
    await this.ready;
    try {
      await this.runner(['rpmsign', '--addsign', '--define', `_gpg_path ${this.home}`, '--define', `_gpg_name ${signerUid}`, '--define', '__gpg /usr/bin/gpg', ...files], {
        timeoutMs: 10 * 60_000, env: { GNUPGHOME: this.home }, ...(signal ? { signal } : {}),
      });
    } finally {
      await this.stopAgent();
    }
  }

  async publicKeyArmored(): Promise<string> {
    this.ready ??= this.ensureKey().catch((error: unknown) => { this.ready = undefined; throw error; });
    await this.ready;
    const r = await this.runner(['gpg', '--homedir', this.home, '--batch', '--armor', '--export', signerUid], { timeoutMs: 30_000 });
    return r.stdout;
  }

  /** Writes the public key to `path` (e.g. `<reposDir>/RPM-GPG-KEY-striker`). */
  async exportPublicKey(path: string): Promise<void> {
    const key = await this.publicKeyArmored();
    const old = await readFile(path, 'utf8').catch(() => '');
    if (old !== key) await writeFile(path, key);
  }

  /** gpg starts an agent for secret-key work; stop it so no process outlives the operation. */
  private async stopAgent(): Promise<void> {
    await this.runner(['gpgconf', '--homedir', this.home, '--kill', 'gpg-agent'], { timeoutMs: 10_000 }).catch(() => {});
  }
}
