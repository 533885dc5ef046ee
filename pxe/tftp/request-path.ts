/**
 * Which requested filenames may be served at all. Pure. A TFTP filename (RFC 1350 §5) is any
 * NUL-terminated string; we accept only a relative path made of normal segments below the root.
 *
 * - NUL bytes, `..` segments and over-long names are refused.
 * - A leading `/` is refused by default (`absolutePaths: 'refuse'`). Some boot loaders ask for
 *   root-relative paths such as `/pxelinux.cfg/default` (pxelinux with path prefix `/`);
 *   `absolutePaths: 'root-relative'` serves those from the root, as tftpd-hpa `-s` and dnsmasq do.
 * - Backslashes are path separators (Windows Boot Manager asks for `boot\x86\wdsnbp.com`).
 * - Empty and `.` segments are dropped: `a//./b` is `a/b`.
 */
import type { RefusalReason } from './file-source.js';

export interface PathRules {
  readonly absolutePaths?: 'refuse' | 'root-relative';
  /** Longest accepted filename in UTF-8 bytes (default 1024). */
  readonly maxPathBytes?: number;
  /** Longest accepted segment in UTF-8 bytes (default 255, NAME_MAX). */
  readonly maxSegmentBytes?: number;
}

export type PathCheck =
  | { readonly kind: 'ok'; readonly relative: string; readonly segments: readonly string[] }
  | { readonly kind: 'refused'; readonly reason: RefusalReason; readonly message: string };

export function checkRequestPath(raw: string, rules: PathRules = {}): PathCheck {
  const maxPath = rules.maxPathBytes ?? 1024;
  const maxSegment = rules.maxSegmentBytes ?? 255;
  if (raw.includes('\0')) return refuse('nul-byte', 'filename contains a NUL byte');
  if (Buffer.byteLength(raw) > maxPath) return refuse('name-too-long', `filename is longer than ${maxPath} bytes`);
  const path = raw.replaceAll('\\', '/');
  if (path.startsWith('/') && (rules.absolutePaths ?? 'refuse') === 'refuse') {
    return refuse('absolute-path', 'absolute paths are not served');
  }
  const segments: string[] = [];
  for (const segment of path.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') return refuse('traversal', "filename contains a '..' segment");
    if (Buffer.byteLength(segment) > maxSegment) return refuse('name-too-long', `a path segment is longer than ${maxSegment} bytes`);
    segments.push(segment);
  }
  if (segments.length === 0) return refuse('invalid-name', 'filename names no file');
  return { kind: 'ok', relative: segments.join('/'), segments };
}

function refuse(reason: RefusalReason, message: string): PathCheck {
  return { kind: 'refused', reason, message };
}
