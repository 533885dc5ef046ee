/**
 * One read transfer on its own UDP socket (RFC 1350 §4: a new transfer id per transfer). The
 * adapter around the pure `step`: it turns datagrams and timer expiries into events, and
 * performs the actions (send OACK/DATA/ERROR, arm the timer, finish). DATA packets come from
 * the transfer's `BlockRing`, so sending a window allocates nothing per packet.
 */
import type { Socket } from 'node:dgram';
import type { Logger } from 'pino';
import { BlockRing } from './block-ring.js';
import { ErrorCode, decodePacket, encodePacket } from './codec.js';
import type { OpenFile, Peer } from './file-source.js';
import { createTransfer, step, type TransferAction, type TransferEvent, type TransferOutcome, type TransferParams, type TransferState } from './transfer.js';

export type SessionOutcome = TransferOutcome | 'io-error' | 'closed' | 'superseded';

export interface SessionResult {
  readonly outcome: SessionOutcome;
  readonly bytes: number;
  readonly reason: string;
}

export interface SessionHooks {
  /** A datagram that did not decode, or came from another transfer id. */
  readonly onDiscard: (reason: 'decode' | 'stray-packet') => void;
  readonly onRetransmit: () => void;
  readonly onFinish: (result: SessionResult) => void;
}

export class TransferSession {
  private state: TransferState;
  private readonly ring: BlockRing;
  private timer: NodeJS.Timeout | null = null;
  private timerMs = 0;
  /** Blocks to send once the ring has them loaded. */
  private pending: { first: number; last: number } | null = null;
  private waiting = false;
  private done = false;
  /** When the peer last sent this transfer a packet that decoded (ms since the epoch). */
  private heardAt = Date.now();

  constructor(
    private readonly socket: Socket,
    private readonly peer: Peer,
    private readonly file: OpenFile,
    params: TransferParams,
    private readonly logger: Logger,
    private readonly hooks: SessionHooks,
  ) {
    this.state = createTransfer(params);
    this.ring = new BlockRing(file, params.blksize, params.windowsize, this.state.lastBlock);
    socket.on('message', (message, rinfo) => this.onMessage(message, rinfo.address, rinfo.port));
    socket.on('error', (error) => this.logger.debug({ err: error }, 'tftp transfer socket error'));
  }

  start(): void {
    this.handle({ kind: 'start', at: performance.now() });
    this.readAhead(1);
  }

  /** Milliseconds since the peer last sent this transfer a packet. */
  get quietMs(): number {
    return Date.now() - this.heardAt;
  }

  /** Abort: `closed` tells the client the server is going away; `superseded` ends silently. */
  abort(outcome: 'closed' | 'superseded' = 'closed'): void {
    if (this.done) return;
    if (outcome === 'closed') this.sendError(this.peer, ErrorCode.NotDefined, 'Server shutting down');
    this.end({ outcome, bytes: 0, reason: outcome === 'closed' ? 'server closed' : 'the client asked again from the same port' });
  }

  private onMessage(message: Buffer, address: string, port: number): void {
    if (this.done || port === 0) return; // port 0 cannot be answered
    if (address !== this.peer.address || port !== this.peer.port) {
      this.hooks.onDiscard('stray-packet');
      this.perform(step(this.state, { kind: 'stray' })[1], { address, port });
      return;
    }
    let event: TransferEvent;
    try {
      event = { kind: 'packet', packet: decodePacket(message), at: performance.now() };
    } catch (error) {
      this.hooks.onDiscard('decode');
      this.logger.debug({ err: error }, 'undecodable packet in transfer');
      return;
    }
    this.heardAt = Date.now();
    this.handle(event);
  }

  private handle(event: TransferEvent): void {
    const [next, actions] = step(this.state, event);
    this.state = next;
    this.perform(actions, this.peer);
  }

  private perform(actions: readonly TransferAction[], stray: Peer): void {
    for (const action of actions) {
      switch (action.kind) {
        case 'send-oack':
          this.socket.send(encodePacket({ kind: 'OACK', options: action.options }), this.peer.port, this.peer.address);
          break;
        case 'send-data':
          this.sendData(action.first, action.last);
          break;
        case 'send-error':
          this.sendError(action.to === 'peer' ? this.peer : stray, action.code, action.message);
          break;
        case 'arm-timer':
          this.arm(action.ms);
          break;
        case 'finish':
          this.end({ outcome: action.outcome, bytes: action.bytes, reason: action.reason });
          break;
      }
    }
  }

  private sendData(first: number, last: number): void {
    if (this.ring.has(last)) {
      this.pending = null;
      this.transmit(first, last);
      this.readAhead(first);
      return;
    }
    this.pending = { first, last };
    if (this.waiting) return;
    this.waiting = true;
    const wait = (): void => {
      const pending = this.pending;
      if (this.done || pending === null) {
        this.waiting = false;
        return;
      }
      if (this.ring.has(pending.last)) {
        this.waiting = false;
        this.pending = null;
        this.transmit(pending.first, pending.last);
        this.readAhead(pending.first);
        return;
      }
      this.ring.fill(pending.first, pending.last).then(wait, (error: unknown) => this.ioFailed(error));
    };
    wait();
  }

  private transmit(first: number, last: number): void {
    const { buffer } = this.ring;
    const { port, address } = this.peer;
    for (let block = first; block <= last; block++) {
      this.socket.send(buffer, this.ring.offsetOf(block), this.ring.lengthOf(block), port, address);
    }
  }

  private readAhead(floor: number): void {
    if (this.done || !this.ring.wantsFill(floor)) return;
    this.ring.fill(floor).catch((error: unknown) => this.ioFailed(error));
  }

  private ioFailed(error: unknown): void {
    if (this.done) return;
    this.logger.warn({ err: error }, 'tftp read failed');
    this.sendError(this.peer, ErrorCode.NotDefined, 'Read error');
    this.end({ outcome: 'io-error', bytes: 0, reason: error instanceof Error ? error.message : String(error) });
  }

  private sendError(to: Peer, code: number, message: string): void {
    this.socket.send(encodePacket({ kind: 'ERROR', code, message }), to.port, to.address);
  }

  private arm(ms: number): void {
    if (this.timer !== null && this.timerMs === ms) {
      this.timer.refresh();
      return;
    }
    if (this.timer !== null) clearTimeout(this.timer);
    this.timerMs = ms;
    this.timer = setTimeout(() => {
      this.hooks.onRetransmit();
      this.handle({ kind: 'timeout' });
    }, ms);
  }

  private end(result: SessionResult): void {
    if (this.done) return;
    this.done = true;
    if (this.timer !== null) clearTimeout(this.timer);
    // Let queued datagrams (the final ERROR, if any) leave before closing the socket.
    setImmediate(() => {
      try {
        this.socket.close();
      } catch {
        // already closed
      }
    });
    this.file.close().catch((error: unknown) => this.logger.debug({ err: error }, 'closing tftp file failed'));
    this.hooks.onFinish(result);
  }
}
