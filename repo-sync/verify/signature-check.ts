/**
 * OpenPGP checks against a repo's configured key, through the command adapter:
 * - `repomd.xml.asc` (RFC 4880 §11.4 detached signature) with `gpg --verify` in a private,
 *   throwaway GNUPGHOME holding only that key, so the host's keyrings never count;
 * - RPM header signatures with `rpmkeys --checksig` against a private rpm database (`--dbpath`)
 *   holding only that key; a package without a signature by it fails ("digests OK" alone is not
 *   enough: we require "signatures OK").
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { StrikerError } from '../../striker/core/errors/index.js';
import type { CommandRunner } from '../../striker/core/command/run-command.js';
import { CommandError } from '../../striker/core/command/command-error.js';

export interface SignatureCheckDeps {
  runner: CommandRunner;
  scratchDir: string;
  signal?: AbortSignal;
}

/** Verifies a detached armored signature; throws REPO_VERIFY_FAILED unless gpg reports VALIDSIG. */
export async function verifyDetachedSignature(input: { dataPath: string; signaturePath: string; keyArmored: string; what: string }, deps: SignatureCheckDeps): Promise<void> {
  const home = await mkdtemp(join(deps.scratchDir, 'gpg-'));
  const opts = { timeoutMs: 60_000, ...(deps.signal ? { signal: deps.signal } : {}) };
  try {
    const keyFile = join(home, 'key.asc');
    await writeFile(keyFile, input.keyArmored);
    await deps.runner(['gpg', '--homedir', home, '--batch', '--no-autostart', '--quiet', '--import', keyFile], opts);
    const r = await deps.runner(['gpg', '--homedir', home, '--batch', '--no-autostart', '--status-fd', '1', '--verify', input.signaturePath, input.dataPath], { ...opts, okExitCodes: [0, 1, 2] });
    if (r.exitCode !== 0 || !/^\[GNUPG:\] VALIDSIG /m.test(r.stdout)) {
      const why = /^\[GNUPG:\] BADSIG/m.test(r.stdout) ? 'bad signature (the file or its signature was altered)'
        : /^\[GNUPG:\] (NO_PUBKEY|ERRSIG)/m.test(r.stdout) ? 'signed by a key other than the configured one'
        : /^\[GNUPG:\] NODATA/m.test(r.stdout) ? 'the signature file holds no signature'
        : `gpg exit ${r.exitCode}`;
      throw new StrikerError('REPO_VERIFY_FAILED', `${input.what}: GPG signature check failed: ${why}`, { details: { what: input.what, status: r.stdout.slice(-2000) } });
    }
  } finally {
    await rm(home, { recursive: true, force: true });
  }
}

/** Checks RPM signatures in batches; throws REPO_VERIFY_FAILED naming every failing file. */
export async function checkRpmSignatures(input: { files: readonly string[]; labels?: readonly string[]; keyArmored: string }, deps: SignatureCheckDeps): Promise<void> {
  if (input.files.length === 0) return;
  const dbpath = await mkdtemp(join(deps.scratchDir, 'rpmdb-'));
  const opts = { timeoutMs: 10 * 60_000, ...(deps.signal ? { signal: deps.signal } : {}) };
  try {
    const keyFile = join(dbpath, 'key.asc');
    await writeFile(keyFile, input.keyArmored);
    await deps.runner(['rpmkeys', '--dbpath', dbpath, '--import', keyFile], opts);
    const bad: { file: string; reason: string }[] = [];
    for (let i = 0; i < input.files.length; i += 400) {
      const batch = input.files.slice(i, i + 400);
      let out: string;
      try {
        out = (await deps.runner(['rpmkeys', '--dbpath', dbpath, '--checksig', '--', ...batch], { ...opts, okExitCodes: [0, 1] })).stdout;
      } catch (error) {
        if (error instanceof CommandError) out = error.stdout;
        else throw error;
      }
      const verdicts = new Map<string, string>();
      for (const line of out.split('\n')) {
        const m = /^(.*): (.*)$/.exec(line);
        if (m) verdicts.set(m[1]!, m[2]!);
      }
      batch.forEach((file, k) => {
        const v = verdicts.get(file);
        const label = input.labels?.[i + k] ?? file;
        if (v === undefined) bad.push({ file: label, reason: 'unreadable RPM header' });
        else if (!/\bsignatures OK\b/.test(v)) bad.push({ file: label, reason: /SIGNATURES NOT OK/.test(v) ? 'signed with another key' : 'not signed' });
      });
    }
    if (bad.length > 0) {
      const list = bad.slice(0, 10).map((b) => `${b.file} (${b.reason})`).join(', ');
      throw new StrikerError('REPO_VERIFY_FAILED', `${bad.length} package(s) failed the GPG signature check: ${list}${bad.length > 10 ? ', …' : ''}`, { details: { bad: bad.slice(0, 100) } });
    }
  } finally {
    await rm(dbpath, { recursive: true, force: true });
  }
}
