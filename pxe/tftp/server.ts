/**
 * The TFTP server adapter. The listening socket (node:dgram) takes read requests (RFC 1350 §4,
 * RFC 2347 options); each accepted request gets its own sockets (`udp-sockets.ts`: the native
 * addon's connected socket when built, else dgram) and `TransferSession`. Write
 * requests are refused: Striker's TFTP is read-only. Client input never throws out of here —
 * undecodable packets are counted and logged at debug, refused requests are answered with an
 * ERROR packet, counted by reason and logged.
 */
import type { Logger } from 'pino';
import type { BootTimeline } from '../boot/timeline.js';
import { ErrorCode, Opcode, decodePacket, encodePacket, type TftpPacket } from './codec.js';
import { countError, countRefusal, createCounters, type RequestRefusal, type TftpCounters } from './counters.js';
import type { FileSource, OpenFile, Peer } from './file-source.js';
import { negotiate } from './negotiate.js';
import { netasciiFile } from './netascii.js';
import { TransferSession, type SessionResult } from './session.js';
import type { RetransmitPolicy } from './transfer.js';
import { nativeChannelsAvailable } from './native-addon.js';
import { bindUdp, openTransferSockets, type TransferSockets } from './udp-sockets.js';

export interface TftpServerOptions {
  readonly host: string;
  /** 0 picks a free port (tests). */
  readonly port: number;
  readonly source: FileSource;
  readonly logger: Logger;
  readonly timeline?: BootTimeline;
  readonly limits: { readonly maxTransfers: number; readonly maxPerClient: number };
  readonly blksizeMax: number;
  readonly windowsizeMax?: number;
  /** Largest window in payload bytes (default 96 KiB), see `negotiate.ts`. */
  readonly windowBytesMax?: number;
  readonly retransmit?: Partial<RetransmitPolicy>;
  /**
   * Transfer sockets through the native addon (pxe/tftp/native) when it is built (default
   * true); false forces node:dgram (the fallback, and what tests of it use).
   */
  readonly nativeSockets?: boolean;
  /** The counters object to update in place (default: a new one); the worker's tracks changes. */
  readonly counters?: TftpCounters;
}

export interface TftpServer {
  readonly address: { readonly address: string; readonly port: number };
  readonly counters: Readonly<TftpCounters>;
  /** What carries transfers: the native addon's sockets, or node:dgram (see `peer-channel.ts`). */
  readonly sockets: 'native' | 'dgram';
  close(): Promise<void>;
}

/** A repeated RRQ replaces a running transfer only when its client has been silent this long. */
const SUPERSEDE_AFTER_MS = 2000;

export async function startTftpServer(options: TftpServerOptions): Promise<TftpServer> {
  const { source, logger, timeline, limits } = options;
  const policy: RetransmitPolicy = { retransmitMs: 1000, minRetransmitMs: 50, maxRetransmitMs: 8000, maxRetries: 5, ...options.retransmit };
  const negotiation = { blksizeMax: options.blksizeMax, windowsizeMax: options.windowsizeMax ?? 64, windowBytesMax: options.windowBytesMax ?? 96 * 1024 };
  const native = options.nativeSockets !== false && nativeChannelsAvailable();
  const counters = options.counters ?? createCounters();
  const perClient = new Map<string, number>();
  /** Running transfers by client "address:port". */
  const sessions = new Map<string, { session: TransferSession | null; filename: string }>();
  const listener = await bindUdp(options.host, options.port);
  let closed = false;

  listener.on('error', (error) => logger.warn({ err: error }, 'tftp listener socket error'));
  listener.on('message', (message, rinfo) => {
    try {
      onDatagram(message, { address: rinfo.address, port: rinfo.port });
    } catch (error) {
      logger.error({ err: error, peer: `${rinfo.address}:${rinfo.port}` }, 'tftp request handling failed');
    }
  });

  function onDatagram(message: Buffer, peer: Peer): void {
    if (peer.port === 0) {
      countError(counters, 'decode'); // source port 0 cannot be answered
      return;
    }
    let packet: TftpPacket;
    try {
      packet = decodePacket(message);
    } catch (error) {
      countError(counters, 'decode');
      logger.debug({ err: error, peer: peerText(peer) }, 'undecodable tftp packet');
      const opcode = message.length >= 2 ? message.readUInt16BE(0) : 0;
      if (opcode === Opcode.RRQ || opcode === Opcode.WRQ) reply(peer, ErrorCode.IllegalOperation, 'Malformed request');
      return;
    }
    switch (packet.kind) {
      case 'RRQ':
        counters.requests++;
        serve(packet.filename, packet.mode, packet.options, peer).catch((error: unknown) => {
          logger.error({ err: error, peer: peerText(peer) }, 'tftp request handling failed');
        });
        return;
      case 'WRQ':
        counters.requests++;
        refuse(peer, packet.filename, 'write-request', ErrorCode.AccessViolation, 'Read-only server');
        return;
      case 'ERROR':
        countError(counters, 'unexpected-packet');
        return; // never answer an error with an error
      default:
        countError(counters, 'unexpected-packet');
        reply(peer, ErrorCode.UnknownTransferId, 'Unknown transfer ID');
    }
  }

  async function serve(filename: string, mode: string, requested: ReadonlyMap<string, string>, peer: Peer): Promise<void> {
    const key = peerText(peer);
    const existing = sessions.get(key);
    if (existing !== undefined) {
      // A client that did not hear our first packet in time repeats its RRQ from the same port
      // (busybox after 50 ms; under load it may arrive after the transfer started): the running
      // transfer answers it. A different file, or a transfer the client has stopped talking to,
      // means the client gave up on the old one.
      if (existing.filename === filename && (existing.session === null || existing.session.quietMs < SUPERSEDE_AFTER_MS)) {
        counters.duplicates++;
        logger.debug({ peer: key, path: filename }, 'repeated tftp request ignored');
        return;
      }
      existing.session?.abort('superseded');
    }
    if (mode !== 'octet' && mode !== 'netascii') {
      refuse(peer, filename, 'bad-mode', ErrorCode.IllegalOperation, `Mode ${mode} not supported`);
      return;
    }
    if (counters.active >= limits.maxTransfers) {
      // TFTP has no "try later": an ERROR ends the client's boot attempt (PXE firmware does not
      // retry after one), so a rack powering on at once would leave machines unbooted. Not
      // answering makes the client repeat its RRQ after its own timeout, when a transfer may
      // have finished: the total limit queues clients instead of failing them.
      countRefusal(counters, 'limit-total');
      logger.debug({ peer: peerText(peer), path: filename.slice(0, 300) }, 'tftp request not answered: all transfer slots busy');
      return;
    }
    const running = perClient.get(peer.address) ?? 0;
    if (running >= limits.maxPerClient) {
      refuse(peer, filename, 'limit-client', ErrorCode.NotDefined, 'Too many transfers from this client');
      return;
    }
    counters.active++;
    perClient.set(peer.address, running + 1);
    const entry: { session: TransferSession | null; filename: string } = { session: null, filename };
    sessions.set(key, entry);
    const startedAt = new Date();
    const release = (): void => {
      if (sessions.get(key) === entry) sessions.delete(key);
      counters.active--;
      const left = (perClient.get(peer.address) ?? 1) - 1;
      if (left <= 0) perClient.delete(peer.address);
      else perClient.set(peer.address, left);
    };
    let file: OpenFile;
    try {
      const opened = await source.open(filename, peer);
      if (opened.kind === 'missing') {
        release();
        refuse(peer, filename, 'not-found', ErrorCode.FileNotFound, 'File not found');
        return;
      }
      if (opened.kind === 'refused') {
        release();
        refuse(peer, filename, opened.reason, ErrorCode.AccessViolation, 'Access violation', opened.message);
        return;
      }
      file = mode === 'netascii' ? await netasciiFile(opened.file) : opened.file;
    } catch (error) {
      release();
      logger.warn({ err: error, peer: peerText(peer), path: filename }, 'tftp file source failed');
      refuse(peer, filename, 'source-error', ErrorCode.NotDefined, 'Cannot read file');
      return;
    }
    let sockets: TransferSockets;
    try {
      sockets = await openTransferSockets(options.host, peer, native);
    } catch (error) {
      release();
      await file.close().catch(() => undefined);
      logger.error({ err: error }, 'cannot bind a tftp transfer socket');
      refuse(peer, filename, 'source-error', ErrorCode.NotDefined, 'Server error');
      return;
    }
    if (closed) {
      release();
      sockets.peer.close();
      sockets.strays.close();
      await file.close().catch(() => undefined);
      return;
    }
    const agreed = negotiate(requested, negotiation, file.size);
    const log = logger.child({ peer: peerText(peer), path: filename });
    const finished = (result: SessionResult): void => {
      const durationMs = Date.now() - startedAt.getTime();
      if (result.outcome === 'ok') {
        counters.served++;
        counters.bytesServed += result.bytes;
      } else {
        countError(counters, result.outcome);
      }
      const details = { file: filename, bytes: result.bytes, options: Object.fromEntries(agreed.accepted), mode, durationMs, outcome: result.outcome };
      log[result.outcome === 'ok' ? 'info' : 'warn']({ ...details, reason: result.reason }, 'tftp transfer finished');
      timeline?.record({ step: 'tftp.transfer', ip: peer.address, at: startedAt, details });
    };
    const session = new TransferSession(
      sockets,
      peer,
      file,
      { size: file.size, blksize: agreed.blksize, windowsize: agreed.windowsize, timeoutMs: agreed.timeoutMs, oack: agreed.accepted, policy },
      log,
      {
        onDiscard: (reason) => countError(counters, reason),
        onRetransmit: () => counters.retransmits++,
        onFinish: (result) => {
          release();
          finished(result);
        },
      },
    );
    entry.session = session;
    session.start();
  }

  function refuse(peer: Peer, filename: string, reason: RequestRefusal, code: number, message: string, why = message): void {
    countRefusal(counters, reason);
    const level = reason === 'not-found' || reason.startsWith('limit') ? 'info' : 'warn';
    logger[level]({ peer: peerText(peer), path: filename.slice(0, 300), reason, why }, 'tftp request refused');
    reply(peer, code, message);
    timeline?.record({ step: 'tftp.transfer', ip: peer.address, at: new Date(), details: { file: filename.slice(0, 300), bytes: 0, durationMs: 0, outcome: 'refused', reason } });
  }

  function reply(peer: Peer, code: number, message: string): void {
    if (closed) return;
    listener.send(encodePacket({ kind: 'ERROR', code, message }), peer.port, peer.address);
  }

  const bound = listener.address();
  return {
    address: { address: bound.address, port: bound.port },
    counters,
    sockets: native ? 'native' : 'dgram',
    async close() {
      if (closed) return;
      closed = true;
      for (const { session } of [...sessions.values()]) session?.abort();
      await new Promise<void>((resolve) => listener.close(() => resolve()));
    },
  };
}

function peerText(peer: Peer): string {
  return `${peer.address}:${peer.port}`;
}
