import { describe, expect, it } from 'vitest';
import { StrikerError } from '../errors/index.js';
import { decryptSecret, encryptSecret, envelopeKeyId, isEnvelope } from './envelope.js';
import { generateKey, mergeKeys, newKeyring, withCurrent } from './keyring.js';

const now = new Date('2026-12-06T08:00:00Z');
const ring = newKeyring(now);

function flip(envelope: string, part: number, index = 0): string {
  const parts = envelope.split('.');
  const bytes = Buffer.from(parts[part]!, 'base64url');
  bytes[index] = bytes[index]! ^ 0x01;
  parts[part] = bytes.toString('base64url');
  return parts.join('.');
}

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    return (error as StrikerError).code;
  }
  return 'no error';
}

describe('secret envelope', () => {
  it('round-trips and names its key', () => {
    const sealed = encryptSecret(ring, 'hunter2 — ünïcode', 'bmc.password');
    expect(sealed.startsWith(`sk1.${ring.current}.`)).toBe(true);
    expect(sealed).not.toContain('hunter2');
    expect(decryptSecret(ring, sealed, 'bmc.password')).toBe('hunter2 — ünïcode');
    expect(envelopeKeyId(sealed)).toBe(ring.current);
    expect(isEnvelope(sealed)).toBe(true);
    expect(isEnvelope('hunter2')).toBe(false);
  });

  it('seals the same plaintext differently each time (random nonce)', () => {
    expect(encryptSecret(ring, 'x', 'c')).not.toBe(encryptSecret(ring, 'x', 'c'));
  });

  it('refuses every tampered envelope', () => {
    const sealed = encryptSecret(ring, 'a secret long enough to flip bytes in', 't.c');
    const cases: [string, string][] = [
      ['iv changed', flip(sealed, 2)],
      ['ciphertext changed', flip(sealed, 3, 5)],
      ['tag changed', flip(sealed, 4, 15)],
      ['truncated ciphertext', sealed.split('.').map((p, i) => (i === 3 ? p.slice(0, -2) : p)).join('.')],
      ['tag dropped', sealed.split('.').slice(0, 4).join('.')],
      ['wrong prefix', sealed.replace(/^sk1/, 'sk2')],
      ['not base64url', sealed.replace(/\.([^.]+)$/, '.@@@@')],
      ['empty', ''],
      ['huge', 'sk1.' + 'A'.repeat(200_000)],
    ];
    for (const [what, envelope] of cases) expect(codeOf(() => decryptSecret(ring, envelope, 't.c')), what).toBe('SECRET_UNREADABLE');
  });

  it('refuses an envelope moved to another column (context is authenticated)', () => {
    const sealed = encryptSecret(ring, 's', 'pdu.password');
    expect(() => decryptSecret(ring, sealed, 'ups.password')).toThrow(/fails authentication/);
  });

  it('refuses a key id swapped for another held key', () => {
    const other = generateKey(now);
    const both = mergeKeys(ring, [other]);
    const sealed = encryptSecret(both, 's', 'c');
    const swapped = sealed.replace(`.${ring.current}.`, `.${other.id}.`);
    expect(() => decryptSecret(both, swapped, 'c')).toThrow(/fails authentication/);
  });

  it('says which key is missing, never the plaintext', () => {
    const sealed = encryptSecret(ring, 'topsecret', 'c');
    const stranger = newKeyring(now);
    let message = '';
    try {
      decryptSecret(stranger, sealed, 'c');
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain(`sealed with key ${ring.current}`);
    expect(message).not.toContain('topsecret');
  });

  it('opens old envelopes after a rotation and seals new ones with the new key', () => {
    const old = encryptSecret(ring, 'before', 'c');
    const next = generateKey(now);
    const rotated = withCurrent(mergeKeys(ring, [next]), next.id);
    expect(decryptSecret(rotated, old, 'c')).toBe('before');
    expect(envelopeKeyId(encryptSecret(rotated, 'after', 'c'))).toBe(next.id);
  });

  it('refuses a key id already held with other bytes', () => {
    const clash = { ...generateKey(now), id: ring.current };
    expect(() => mergeKeys(ring, [clash])).toThrow(/different bytes/);
  });
});
