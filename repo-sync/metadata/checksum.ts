/**
 * Checksums as repo metadata names them (`<checksum type="sha256">…</checksum>`, createrepo_c's
 * `sha`, `sha1`, `sha224`, `sha256`, `sha384`, `sha512`). `sha` is the historical name of SHA-1.
 */
import { DecodeError } from '../../striker/core/errors/index.js';

export type ChecksumAlgorithm = 'sha1' | 'sha224' | 'sha256' | 'sha384' | 'sha512';

export interface Checksum {
  algorithm: ChecksumAlgorithm;
  /** Lower-case hex. */
  value: string;
}

const hexLength: Record<ChecksumAlgorithm, number> = { sha1: 40, sha224: 56, sha256: 64, sha384: 96, sha512: 128 };

/** Parses a metadata checksum type + hex value; `field` names where it came from for the error. */
export function parseChecksum(type: string | undefined, value: string, field: string): Checksum {
  const t = (type ?? '').toLowerCase();
  const algorithm: ChecksumAlgorithm | undefined = t === 'sha' ? 'sha1' : t in hexLength ? (t as ChecksumAlgorithm) : undefined;
  if (algorithm === undefined) throw new DecodeError(`checksum type must be one of sha1, sha224, sha256, sha384, sha512 — got '${type ?? ''}'`, field, 0);
  const hex = value.trim().toLowerCase();
  if (hex.length !== hexLength[algorithm] || !/^[0-9a-f]+$/.test(hex)) {
    throw new DecodeError(`${algorithm} checksum must be ${hexLength[algorithm]} hex digits — got '${hex.slice(0, 140)}'`, field, 0);
  }
  return { algorithm, value: hex };
}

export function checksumKey(c: Checksum): string {
  return `${c.algorithm}:${c.value}`;
}
