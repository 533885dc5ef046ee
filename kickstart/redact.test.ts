import { describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { kickstartConfigSchema } from './config.js';
import { kickstartLogRedactPaths, REDACTED, redactSecrets, redactString } from './redact.js';

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

describe('pino redaction paths', () => {
  it('hide hashes and tokens in structured log fields', () => {
    const lines: string[] = [];
    const log = pino({ redact: { paths: [...kickstartLogRedactPaths], censor: REDACTED } }, { write: (l: string) => void lines.push(l) });
    log.info({ rootPasswordHash: hash, registration: { token }, req: { query: { sig: 'abc' } }, host: { rootPasswordHash: hash } }, 'x');
    expect(lines.join('')).not.toContain('$6$');
    expect(lines.join('')).not.toContain(token);
    expect(lines.join('')).not.toContain('"abc"');
  });
});

describe('kickstart config', () => {
  it('has defaults and rejects unknown keys', () => {
    expect(kickstartConfigSchema.parse(undefined)).toEqual({ urlTtlSeconds: 21600, tokenTtlSeconds: 86400, requireReadyCheck: true, checkEngine: 'auto', checkTimeoutSeconds: 600, rootPasswordLogin: false, otherStrikerUrls: [], installTimeoutMinutes: 120 });
    expect(kickstartConfigSchema.safeParse({ installTimeoutMinutes: 5 }).success).toBe(false);
    expect(kickstartConfigSchema.safeParse({ otherStrikerUrls: ['ftp://x'] }).success).toBe(false);
    expect(kickstartConfigSchema.safeParse({ urlTTL: 5 }).success).toBe(false);
    expect(kickstartConfigSchema.safeParse({ urlTtlSeconds: 5 }).success).toBe(false);
    expect(kickstartConfigSchema.safeParse({ rootPasswordLogin: 'yes' }).success).toBe(false);
  });
});
