/**
 * Response headers for a whole published file, shared by the small-file cache and the large-file
 * streamer so every answer from the front door carries the same validators as @fastify/send's:
 * ETag W/"<size hex>-<mtime ms hex>" and Last-Modified (RFC 9110 §8.8), Accept-Ranges.
 */
import type { Stats } from 'node:fs';
import { extname } from 'node:path';

const contentTypes: Record<string, string> = {
  '.rpm': 'application/x-redhat-package-manager',
  '.xml': 'application/xml',
  '.gz': 'application/gzip',
  '.xz': 'application/x-xz',
  '.bz2': 'application/x-bzip2',
  '.zst': 'application/zstd',
  '.asc': 'application/pgp-signature',
  '.json': 'application/json',
  '.cfg': 'text/plain; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
};

export interface FileHeaders {
  readonly etag: string;
  readonly lastModified: string;
  readonly contentType: string;
  /** The full header set of a 200 answer with the whole file. */
  readonly headers: Readonly<Record<string, string | number>>;
}

export function fileHeaders(path: string, st: Pick<Stats, 'size' | 'mtime'>): FileHeaders {
  const etag = `W/"${st.size.toString(16)}-${st.mtime.getTime().toString(16)}"`;
  const lastModified = st.mtime.toUTCString();
  const contentType = contentTypes[extname(path).toLowerCase()] ?? 'application/octet-stream';
  return {
    etag, lastModified, contentType,
    headers: {
      'content-type': contentType, etag, 'last-modified': lastModified,
      'accept-ranges': 'bytes', 'cache-control': 'public, max-age=0', 'content-length': st.size,
    },
  };
}
