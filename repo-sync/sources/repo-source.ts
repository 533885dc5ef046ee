/**
 * Where a repo's files come from. `RepoSource` is the seam between the sync (which decides) and
 * the transport (HTTP upstream, a local directory, an extracted ISO). Hrefs handed in have been
 * checked by `checkLocationHref`; a source must still never resolve them outside its root.
 */
import type { Checksum } from '../metadata/checksum.js';
import type { ContentStore } from '../store/content-store.js';

export interface FetchOptions {
  signal: AbortSignal;
  /** Called with each chunk's byte count, for progress. */
  onBytes?: (n: number) => void;
}

export interface RepoSource {
  /** For messages and logs, e.g. `http://mirror/alma/9/BaseOS/x86_64/os/`. */
  readonly description: string;
  /** Reads a small file (repomd.xml, its .asc); undefined when the source says it does not exist. */
  readSmall(href: string, maxBytes: number, signal: AbortSignal): Promise<Buffer | undefined>;
  /** Brings `href` into the store, verified against `expected`; returns its store path. */
  fetchToStore(href: string, expected: { checksum: Checksum; size?: number }, store: ContentStore, options: FetchOptions): Promise<string>;
  /** How many fetchToStore calls are worth having in flight at once (pipelined requests); default: the repo's parallelism. */
  readonly inFlight?: number;
  /** Releases connections (keep-alive sockets). */
  close?(): void;
}
