/**
 * Response headers for served files (/repos, /trees), shared by the small-file cache, the
 * streaming path and the error answers of those routes.
 *
 * Mirrors and media are someone else's bytes in Striker's origin, so every answer is inert in a
 * browser:
 * - `Content-Security-Policy: default-src 'none'; sandbox` — no script, style, frame or fetch,
 *   and the document is in a unique opaque origin (no cookies, no same-origin API calls).
 * - `X-Content-Type-Options: nosniff` — the browser keeps the type given here.
 * - A type that never executes. Markup and script (XML, HTML, XHTML, SVG, JS, CSS) are sent as
 *   `text/plain; charset=utf-8`: readable in a browser, never parsed as a document. Anything not
 *   listed is `application/octet-stream` (downloaded, never rendered). RPMs, compressed metadata,
 *   signatures and keys keep their own types, which no browser executes.
 *
 * Validators (RFC 9110 §8.8): ETag W/"<size hex>-<mtime ms hex>" and Last-Modified.
 */
import type { Stats } from 'node:fs';
import { basename, extname } from 'node:path';

const textPlain = 'text/plain; charset=utf-8';

const contentTypes: Record<string, string> = {
  '.rpm': 'application/x-redhat-package-manager',
  '.gz': 'application/gzip',
  '.xz': 'application/x-xz',
  '.bz2': 'application/x-bzip2',
  '.zst': 'application/zstd',
  '.asc': 'application/pgp-signature',
  '.json': 'application/json',
  '.cfg': textPlain,
  '.txt': textPlain,
  '.xml': textPlain,
  '.html': textPlain,
  '.htm': textPlain,
  '.xhtml': textPlain,
  '.xht': textPlain,
  '.svg': textPlain,
  '.js': textPlain,
  '.mjs': textPlain,
  '.css': textPlain,
};

/** Headers every /repos and /trees answer carries, errors included. */
export const inertHeaders: Readonly<Record<string, string>> = {
  'content-security-policy': "default-src 'none'; sandbox",
  'x-content-type-options': 'nosniff',
};

/** The Content-Type a served file gets (see the list above). */
export function contentTypeOf(path: string): string {
  const name = basename(path);
  if (name.startsWith('RPM-GPG-KEY')) return 'application/pgp-keys';
  if (name === '.treeinfo' || name === '.discinfo') return textPlain;
  return contentTypes[extname(name).toLowerCase()] ?? 'application/octet-stream';
}

export interface FileHeaders {
  readonly size: number;
  readonly mtimeMs: number;
  readonly etag: string;
  readonly lastModified: string;
  readonly contentType: string;
  /** The full header set of a 200 answer with the whole file. */
  readonly headers: Readonly<Record<string, string | number>>;
}

export function fileHeaders(path: string, st: Pick<Stats, 'size' | 'mtimeMs'>): FileHeaders {
  const etag = `W/"${st.size.toString(16)}-${Math.floor(st.mtimeMs).toString(16)}"`;
  const lastModified = new Date(st.mtimeMs).toUTCString();
  const contentType = contentTypeOf(path);
  return {
    size: st.size, mtimeMs: st.mtimeMs, etag, lastModified, contentType,
    headers: {
      'content-type': contentType, etag, 'last-modified': lastModified,
      'accept-ranges': 'bytes', 'cache-control': 'public, max-age=0', 'content-length': st.size,
      ...inertHeaders,
    },
  };
}
