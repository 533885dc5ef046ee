/**
 * TFTP configuration (the `tftp` section of the PXE config, pxe/pxe-config.ts). The listener
 * runs whenever PXE is enabled; `host` should be the back-channel interface's address.
 */
import { z } from 'zod';
import { ipv4Schema } from '../../striker/core/net/ipv4.js';

export const tftpConfigSchema = z.strictObject({
  /** IPv4 address to listen on. */
  host: ipv4Schema.default('0.0.0.0'),
  port: z.number().int().min(0).max(65535).default(69),
  /** Read-only root directory served to clients. */
  root: z.string().min(1).default('/var/lib/striker/tftp'),
  /** `refuse` (default) or `root-relative`: serve `/x` as `<root>/x` (pxelinux with path prefix `/`). */
  absolutePaths: z.enum(['refuse', 'root-relative']).default('refuse'),
  /** Largest blksize answered in an OACK (RFC 2348: 8..65464). */
  blksizeMax: z.number().int().min(8).max(65464).default(65464),
  /** Largest windowsize answered in an OACK (RFC 7440: 1..65535). */
  windowsizeMax: z.number().int().min(1).max(1024).default(64),
  /** Largest window in payload bytes (windowsize × blksize); keeps windows inside client socket buffers. */
  windowBytesMax: z.number().int().min(512).max(64 * 1024 * 1024).default(96 * 1024),
  /**
   * Transfer sockets through the native addon (pxe/tftp/native) when it is built; false uses
   * node:dgram sockets, the fallback that needs no compiled code.
   */
  nativeSockets: z.boolean().default(true),
  /**
   * Where transfers run: `worker` (default), a thread of their own, so HTTP downloads and database
   * work on the main thread do not delay DATA blocks; `main`, on the main event loop.
   */
  thread: z.enum(['worker', 'main']).default('worker'),
  limits: z
    .strictObject({
      /** Transfers at once; a request beyond this is not answered, so the client repeats it later. */
      maxTransfers: z.number().int().min(1).default(128),
      /** Transfers at once from one address; a request beyond this gets an ERROR. */
      maxPerClient: z.number().int().min(1).default(8),
    })
    .default({ maxTransfers: 128, maxPerClient: 8 }),
  timeouts: z
    .strictObject({
      /** Retransmission interval before a round trip was measured (unless the client sent the timeout option). */
      retransmitMs: z.number().int().min(10).max(255_000).default(1000),
      /** Floor of the interval adapted to measured round trips (RFC 6298 style). */
      minRetransmitMs: z.number().int().min(1).max(255_000).default(50),
      /** The doubled interval never exceeds this. */
      maxRetransmitMs: z.number().int().min(10).max(255_000).default(8000),
      /** Retransmissions of one window before the transfer is abandoned. */
      maxRetries: z.number().int().min(0).max(50).default(5),
    })
    .default({ retransmitMs: 1000, minRetransmitMs: 50, maxRetransmitMs: 8000, maxRetries: 5 }),
});

export type TftpConfig = z.infer<typeof tftpConfigSchema>;
