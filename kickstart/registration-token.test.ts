import { describe, expect, it } from 'vitest';
import { generateToken, hashToken, issueToken, memoryExchange, MemoryTokenStore, presentedTokenHash } from './registration-token.js';

const now = new Date('2026-01-01T00:00:00Z');

/** Presents a token the way the registration route does: malformed ones never reach the store. */
async function present(store: MemoryTokenStore, hostId: string, presented: unknown, at = now): Promise<'ok' | 'malformed' | 'invalid'> {
  const hash = presentedTokenHash(presented);
  if (hash === undefined) return 'malformed';
  return (await memoryExchange(store)(hostId, hash, '10.0.0.1', at)) === undefined ? 'invalid' : 'ok';
}

describe('registration tokens', () => {
  it('generates a 256-bit base64url token and stores only its hash', async () => {
    const store = new MemoryTokenStore();
    const issued = await issueToken(store, 'h1', now, 3600);
    expect(issued.token).toMatch(/^srt_[A-Za-z0-9_-]{43}$/);
    expect(issued.hash).toBe(hashToken(issued.token));
    expect(JSON.stringify([...store.entries])).not.toContain(issued.token.slice(4));
    expect(generateToken(now, 1).token).not.toBe(issued.token);
  });

  it('works once: a replay is refused', async () => {
    const store = new MemoryTokenStore();
    const { token } = await issueToken(store, 'h1', now, 3600);
    expect(await present(store, 'h1', token)).toBe('ok');
    expect(await present(store, 'h1', token)).toBe('invalid');
  });

  it('refuses another host, an expired token, a superseded token and junk', async () => {
    const store = new MemoryTokenStore();
    const first = await issueToken(store, 'h1', now, 60);
    expect(await present(store, 'h2', first.token)).toBe('invalid');
    expect(await present(store, 'h1', first.token, new Date(now.getTime() + 60_000))).toBe('invalid');
    const second = await issueToken(store, 'h1', now, 60);
    expect(await present(store, 'h1', first.token)).toBe('invalid');
    expect(await present(store, 'h1', 'srt_short')).toBe('malformed');
    expect(await present(store, 'h1', { token: second.token })).toBe('malformed');
    expect(await present(store, 'h1', second.token)).toBe('ok');
  });

  it('answers with what the exchange makes; when making it fails the token stays usable', async () => {
    const store = new MemoryTokenStore();
    const { token } = await issueToken(store, 'h1', now, 60);
    let fail = true;
    const exchange = memoryExchange(store, async (hostId, peerIp) => {
      if (fail) throw new Error('credential store down');
      return { hostId, peerIp };
    });
    await expect(exchange('h1', hashToken(token), '10.0.0.1', now)).rejects.toThrow('credential store down');
    fail = false;
    expect(await exchange('h1', hashToken(token), '10.0.0.1', now)).toEqual({ hostId: 'h1', peerIp: '10.0.0.1' });
    expect(await exchange('h1', hashToken(token), '10.0.0.1', now)).toBeUndefined();
  });
});
