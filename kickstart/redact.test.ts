import { describe, expect, it } from 'vitest';
import { REDACTED, redactSecrets, redactString } from './redact.js';

const hash = '$6$8SaltSalt$t1M4z4IlaHqxCCyUzaolCnuehdJB0iuDEjwnlcUZL2/UhxRy7kq4vANo9CIJLTjEHMXTUOVD1CGXew.iyacZn1';
const token = 'srt_abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQ';

describe('redactSecrets', () => {
  it('replaces secret-named keys at any depth and leaves the rest', () => {
    const out = redactSecrets({ hostId: 'h1', rootPasswordHash: hash, registration: { url: 'http://x/', token }, list: [{ password: 'p' }], n: 3 });
    expect(out).toEqual({ hostId: 'h1', rootPasswordHash: REDACTED, registration: { url: 'http://x/', token: REDACTED }, list: [{ password: REDACTED }], n: 3 });
  });

  it('scrubs hashes, tokens and signatures inside strings', () => {
    const text = `rootpw --iscrypted ${hash}\ncurl --data '{"token":"${token}"}' http://s/ks/h1.ks?exp=1&sig=QUJDREVG`;
    const out = redactString(text);
    expect(out).not.toContain('$6$8SaltSalt');
    expect(out).not.toContain(token);
    expect(out).toContain('?exp=1&sig=[redacted]');
    expect(redactSecrets({ message: text })).toEqual({ message: out });
    expect(redactString('GET /ks/host-1/1790000000.QUJDREVGQUJDREVGQUJDREVGQUJDREVGQUJDREVGQUJ.ks')).toBe('GET /ks/host-1/1790000000.[redacted].ks');
  });
});
