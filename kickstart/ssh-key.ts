/**
 * The Striker's own SSH key pair (ed25519), which every host it installs trusts for root (the
 * kickstart's `sshkey --username=root`). Made once with `ssh-keygen` through the command adapter
 * under `<dataDir>/keys/ssh/`: generated under a temporary name, the private half hard-linked into
 * place first (fails if another process got there first), then the public half, so a reader that
 * finds `id_ed25519.pub` also finds its private key complete.
 */
import { randomBytes } from 'node:crypto';
import { link, mkdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { CommandRunner } from '../striker/core/command/run-command.js';
import { ConfigError } from '../striker/core/errors/index.js';
import { sshPublicKeyPattern } from './kickstart-input.js';

export interface SshKeyFiles {
  privateKeyFile: string;
  publicKeyFile: string;
}

export function sshKeyFilesIn(dir: string): SshKeyFiles {
  return { privateKeyFile: join(dir, 'id_ed25519'), publicKeyFile: join(dir, 'id_ed25519.pub') };
}

async function readPublicKey(file: string): Promise<string | undefined> {
  try {
    const line = (await readFile(file, 'utf8')).split('\n')[0]!.trim();
    if (!sshPublicKeyPattern.test(line)) throw new ConfigError([{ path: file, message: 'must hold one OpenSSH public key line (ssh-ed25519 AAAA… comment)' }], 'Striker SSH key');
    return line;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** The public key line, creating the pair in `dir` when it does not exist yet. */
export async function loadOrCreateSshKey(run: CommandRunner, dir: string): Promise<string> {
  const files = sshKeyFilesIn(dir);
  const existing = await readPublicKey(files.publicKeyFile);
  if (existing !== undefined) return existing;
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const tmp = join(dir, `.id_ed25519.${process.pid}.${randomBytes(6).toString('hex')}`);
  try {
    await run(['ssh-keygen', '-q', '-t', 'ed25519', '-N', '', '-C', 'striker', '-f', tmp], { timeoutMs: 30_000 });
    try {
      await link(tmp, files.privateKeyFile);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      // Another process made the pair: its public half follows its private half.
      return retryRead(files.publicKeyFile);
    }
    await link(`${tmp}.pub`, files.publicKeyFile);
    return (await readPublicKey(files.publicKeyFile))!;
  } finally {
    await rm(tmp, { force: true });
    await rm(`${tmp}.pub`, { force: true });
  }
}

/** The public half another process is about to link: read it until it appears (a few tries). */
async function retryRead(file: string): Promise<string> {
  for (let i = 0; i < 50; i++) {
    const key = await readPublicKey(file);
    if (key !== undefined) return key;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new ConfigError([{ path: file, message: 'is missing although its private key exists: remove both to make a new pair' }], 'Striker SSH key');
}
