import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCommand, type CommandRunner } from '../striker/core/command/run-command.js';
import { ConfigError } from '../striker/core/errors/index.js';
import { sshPublicKeyPattern } from './kickstart-input.js';
import { loadOrCreateSshKey, sshKeyFilesIn } from './ssh-key.js';

const work = mkdtempSync(join(tmpdir(), 'ks-sshkey-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe("the Striker's SSH key pair", () => {
  it('is made once with ssh-keygen (ed25519, private half 0600) and reused, also by concurrent callers', async () => {
    const calls: string[][] = [];
    const run: CommandRunner = (argv, options) => { calls.push([...argv]); return runCommand(argv, options); };
    const dir = join(work, 'keys', 'ssh');
    const [a, b] = await Promise.all([loadOrCreateSshKey(run, dir), loadOrCreateSshKey(run, dir)]);
    expect(a).toBe(b);
    expect(a).toMatch(/^ssh-ed25519 AAAA\S+ striker$/);
    expect(a).toMatch(sshPublicKeyPattern);
    const files = sshKeyFilesIn(dir);
    expect(statSync(files.privateKeyFile).mode & 0o777).toBe(0o600);
    expect(readFileSync(files.privateKeyFile, 'utf8')).toContain('BEGIN OPENSSH PRIVATE KEY');
    const derived = await runCommand(['ssh-keygen', '-y', '-f', files.privateKeyFile], { timeoutMs: 10_000 });
    expect(`${derived.stdout.trim()} striker`.startsWith(a.split(' ').slice(0, 2).join(' '))).toBe(true);
    const before = calls.length;
    expect(await loadOrCreateSshKey(run, dir)).toBe(a);
    expect(calls.length).toBe(before);
    expect(calls.every((c) => c[0] === 'ssh-keygen' && c.includes('ed25519'))).toBe(true);
  });

  it('refuses a public key file that holds something else', async () => {
    const dir = join(work, 'bad');
    await loadOrCreateSshKey(runCommand, dir);
    writeFileSync(sshKeyFilesIn(dir).publicKeyFile, 'not a key\n');
    await expect(loadOrCreateSshKey(runCommand, dir)).rejects.toBeInstanceOf(ConfigError);
  });
});
