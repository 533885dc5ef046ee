import { describe, expect, it } from 'vitest';
import { consumeToken, generateToken, hashToken, issueToken, MemoryTokenStore } from './registration-token.js';

const now = new Date('2026-01-01T00:00:00Z');

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
    expect(await consumeToken(store, 'h1', token, now)).toEqual({ ok: true });
    expect(await consumeToken(store, 'h1', token, now)).toEqual({ ok: false, reason: 'invalid' });
  });

  it('refuses another host, an expired token, a superseded token and junk', async () => {
    const store = new MemoryTokenStore();
    const first = await issueToken(store, 'h1', now, 60);
    expect(await consumeToken(store, 'h2', first.token, now)).toEqual({ ok: false, reason: 'invalid' });
    expect(await consumeToken(store, 'h1', first.token, new Date(now.getTime() + 60_000))).toEqual({ ok: false, reason: 'invalid' });
    const second = await issueToken(store, 'h1', now, 60);
    expect(await consumeToken(store, 'h1', first.token, now)).toEqual({ ok: false, reason: 'invalid' });
    expect(await consumeToken(store, 'h1', 'srt_short', now)).toEqual({ ok: false, reason: 'malformed' });
    expect(await consumeToken(store, 'h1', { token: second.token }, now)).toEqual({ ok: false, reason: 'malformed' });
    expect(await consumeToken(store, 'h1', second.token, now)).toEqual({ ok: true });
  });
});
