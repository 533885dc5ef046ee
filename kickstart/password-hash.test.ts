import { describe, expect, it } from 'vitest';
import { runCommand, type CommandRunner } from '../striker/core/command/run-command.js';
import { ValidationError } from '../striker/core/errors/index.js';
import { hashRootPassword, sha512CryptPattern } from './password-hash.js';

describe('hashRootPassword (real openssl passwd -6)', () => {
  it('matches the known SHA-512 crypt of a fixed salt', async () => {
    const hash = await hashRootPassword(runCommand, 'striker-test', { salt: '8SaltSalt' });
    expect(hash).toBe('$6$8SaltSalt$t1M4z4IlaHqxCCyUzaolCnuehdJB0iuDEjwnlcUZL2/UhxRy7kq4vANo9CIJLTjEHMXTUOVD1CGXew.iyacZn1');
  });

  it('uses a random salt by default and passes the password on stdin, not argv', async () => {
    const seen: (readonly string[])[] = [];
    const spy: CommandRunner = async (argv, options) => { seen.push(argv); return runCommand(argv, options); };
    const a = await hashRootPassword(spy, 'hunter2-secret');
    const b = await hashRootPassword(spy, 'hunter2-secret');
    expect(a).toMatch(sha512CryptPattern);
    expect(a).not.toBe(b);
    expect(seen.flat().join(' ')).not.toContain('hunter2-secret');
  });

  it('refuses an empty or multi-line password', async () => {
    await expect(hashRootPassword(runCommand, '')).rejects.toBeInstanceOf(ValidationError);
    await expect(hashRootPassword(runCommand, 'a\nb')).rejects.toBeInstanceOf(ValidationError);
  });
});
