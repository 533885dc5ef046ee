/**
 * `<location href="…"/>` in repomd.xml and primary.xml names a file relative to the repo root.
 * A mirror writes files at those paths, so an href is a path-traversal vector: refuse `..`
 * segments, absolute paths, backslashes, NUL/control bytes and any URL scheme (createrepo_c's
 * `xml:base` / scheme hrefs point elsewhere — a mirror must not follow them).
 */
import { StrikerError } from '../../striker/core/errors/index.js';

export function checkLocationHref(href: string, field = 'location href'): string {
  const reason = unsafeReason(href);
  if (reason !== undefined) {
    throw new StrikerError('REPO_VERIFY_FAILED', `${field} '${href.slice(0, 200)}' refused: ${reason}`, { details: { href: href.slice(0, 500), reason } });
  }
  return href.replace(/^(\.\/)+/, '');
}

function unsafeReason(href: string): string | undefined {
  if (href === '') return 'it is empty';
  if (href.length > 4096) return 'it is longer than 4096 characters';
  if (/[\u0000-\u001f\u007f]/.test(href)) return 'it contains control characters';
  if (href.includes('\\')) return 'it contains a backslash';
  if (/^[a-z][a-z0-9+.-]*:/i.test(href)) return 'it is a URL with a scheme, not a path inside the repo';
  if (href.startsWith('/')) return 'it is an absolute path';
  if (href.split('/').some((s) => s === '..')) return "it contains a '..' segment";
  if (href.endsWith('/')) return 'it names a directory';
  if (href.split('/').some((s, i, all) => s === '' && i !== all.length - 1)) return 'it contains an empty segment';
  return undefined;
}
