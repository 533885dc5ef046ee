/**
 * The `FileSource` seam: everything the TFTP server sends comes through it. A source either
 * opens a file, says it has none (the next source is asked), or refuses the request (safety
 * rules, see `request-path.ts` and `directory-source.ts`). Files are read by offset into
 * caller-owned buffers, so a 4 GB initrd is streamed in bounded memory.
 */
export interface Peer {
  readonly address: string;
  readonly port: number;
}

export type RefusalReason =
  | 'nul-byte'
  | 'absolute-path'
  | 'traversal'
  | 'name-too-long'
  | 'invalid-name'
  | 'symlink-escape'
  | 'not-regular-file'
  | 'unreadable';

export interface OpenFile {
  /** Size in bytes, fixed when opened; the transfer sends exactly this many. */
  readonly size: number;
  /**
   * Fill `targets` in order with bytes starting at `position` (like preadv(2)); resolves with the
   * number of bytes read, which is less than requested only at the end of the file.
   */
  read(targets: readonly Uint8Array[], position: number): Promise<number>;
  close(): Promise<void>;
  /**
   * The open descriptor `read` reads, when the file is one on disk (DirectorySource): the TFTP
   * worker thread then reads it itself, straight into its read-ahead ring, instead of asking the
   * main thread for the bytes. Valid until `close`.
   */
  readonly fd?: number;
}

export type OpenResult =
  | { readonly kind: 'file'; readonly file: OpenFile }
  | { readonly kind: 'missing' }
  | { readonly kind: 'refused'; readonly reason: RefusalReason; readonly message: string };

export interface FileSource {
  /** `path` is the filename exactly as the client sent it. Never throws for client input. */
  open(path: string, peer: Peer): Promise<OpenResult>;
}

/** Ask each source in turn; the first that opens or refuses wins (virtual files go first). */
export function composeSources(...sources: readonly FileSource[]): FileSource {
  return {
    async open(path, peer) {
      for (const source of sources) {
        const result = await source.open(path, peer);
        if (result.kind !== 'missing') return result;
      }
      return { kind: 'missing' };
    },
  };
}

/** An in-memory file (virtual files, tests). */
export function bufferFile(bytes: Uint8Array): OpenFile {
  return {
    size: bytes.length,
    async read(targets, position) {
      let at = position;
      for (const target of targets) {
        if (at >= bytes.length) break;
        const n = Math.min(target.length, bytes.length - at);
        target.set(bytes.subarray(at, at + n));
        at += n;
      }
      return at - position;
    },
    async close() {},
  };
}
