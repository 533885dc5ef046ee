/**
 * SHA-512 crypt (`$6$`, the glibc crypt scheme RHEL's `rootpw --iscrypted` expects) through the
 * system's `openssl passwd -6`, run by the one command adapter. The password goes in on stdin,
 * never in argv (argv is visible in /proc and in CommandError details). Chosen over an npm
 * library because openssl is on every Striker and in the base image, and no npm package for
 * crypt(3) SHA-512 is both small and well kept.
 */
import type { CommandRunner } from '../striker/core/command/run-command.js';
import { ValidationError } from '../striker/core/errors/index.js';

export const sha512CryptPattern = /^\$6\$(rounds=\d{4,9}\$)?[./A-Za-z0-9]{1,16}\$[./A-Za-z0-9]{86}$/;

export async function hashRootPassword(run: CommandRunner, password: string, options: { salt?: string } = {}): Promise<string> {
  if (password.length === 0 || password.includes('\n')) {
    throw new ValidationError([{ path: 'password', message: 'must be non-empty and on one line' }], 'root password');
  }
  if (options.salt !== undefined && !/^[./A-Za-z0-9]{1,16}$/.test(options.salt)) {
    throw new ValidationError([{ path: 'salt', message: 'must be 1–16 characters of [./A-Za-z0-9]' }], 'root password');
  }
  const argv = ['openssl', 'passwd', '-6', ...(options.salt === undefined ? [] : ['-salt', options.salt]), '-stdin'];
  const result = await run(argv, { timeoutMs: 10_000, input: `${password}\n` });
  const hash = result.stdout.trim();
  if (!sha512CryptPattern.test(hash)) {
    throw new ValidationError([{ path: 'hash', message: 'openssl passwd -6 did not print a $6$ hash' }], 'root password');
  }
  return hash;
}
