/**
 * One read transfer on its own UDP port (RFC 1350 §4: a new transfer id per transfer), with a
 * socket connected to the peer and one that answers strays (see `udp-sockets.ts`). The
 * adapter around the pure `step`: it turns datagrams and timer expiries into events, and
 * performs the actions (send OACK/DATA/ERROR, arm the timer, finish). DATA packets come from
 * the transfer's `BlockRing`, read ahead on the thread pool, so sending a window allocates
 * nothing per packet; they go out through the transfer's `PeerChannel` (with the native addon:
 * one send(2) per block).
 *
 * Per ACK the adapter reads the clock once (`performance.now()`: the round-trip sample, the
 * timer deadline and "last heard" all use it) and arms the retransmission timer lazily: arming
 * only moves `deadline`; the one Node timer, when it fires early, sleeps again until the
 * deadline. So the per-ACK path creates and refreshes no timers.
 */
import type { Logger } from 'pino';
import { BlockRing } from './block-ring.js';
import { ErrorCode, decodeDatagram, encodePacket, type TftpPacket } from './codec.js';
import type { OpenFile, Peer } from './file-source.js';
import type { TransferSockets } from './udp-sockets.js';
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
  /** When the retransmission timer expires (performance.now() ms); Infinity when disarmed. */
  private deadline = Infinity;
  /** The clock reading of the event being handled. */
  private now = performance.now();
  /** Blocks to send once the ring has them loaded. */
  private pending: { first: number; last: number } | null = null;
  private waiting = false;
  private done = false;
  /** When the peer last sent this transfer a packet that decoded (performance.now() ms). */
  private heardAt = this.now;

  constructor(
    private readonly sockets: TransferSockets,
    private readonly peer: Peer,
    private readonly file: OpenFile,
    params: TransferParams,
    private readonly logger: Logger,
    private readonly hooks: SessionHooks,
  ) {
    this.state = createTransfer(params);
    this.ring = new BlockRing(file, params.blksize, params.windowsize, this.state.lastBlock);
    const onError = (error: Error): void => this.logger.debug({ err: error }, 'tftp transfer socket error');
    // The connected channel hears only the peer; the strays socket hears everyone else (and,
    // before connect(2), possibly the peer's first packet).
    sockets.peer.listen((bytes, length) => this.onPacket(bytes, length), onError);
    sockets.strays.on('message', (message, rinfo) => this.onMessage(message, rinfo.address, rinfo.port));
    sockets.strays.on('error', onError);
  }

  start(): void {
    this.now = performance.now();
    this.handle({ kind: 'start', at: this.now });
    this.readAhead(1);
  }

  /** Milliseconds since the peer last sent this transfer a packet. */
  get quietMs(): number {
    return performance.now() - this.heardAt;
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
    this.onPacket(message, message.length);
  }

  private onPacket(bytes: Buffer, length: number): void {
    if (this.done) return;
    let packet: TftpPacket;
    try {
      packet = decodeDatagram(bytes, length);
    } catch (error) {
      this.hooks.onDiscard('decode');
      this.logger.debug({ err: error }, 'undecodable packet in transfer');
      return;
    }
    const now = performance.now();
    this.now = now;
    this.heardAt = now;
    this.handle({ kind: 'packet', packet, at: now });
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
          this.sockets.peer.send(encodePacket({ kind: 'OACK', options: action.options }));
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
    this.sockets.peer.sendBlocks(this.ring, first, last);
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
    const packet = encodePacket({ kind: 'ERROR', code, message });
    if (to === this.peer) this.sockets.peer.send(packet);
    else this.sockets.strays.send(packet, to.port, to.address);
  }

  private arm(ms: number): void {
    const deadline = this.now + ms;
    // A later deadline leaves the running timer alone (it sleeps again when it fires early);
    // an earlier one, e.g. the adaptive interval shrinking from 1 s to 50 ms, restarts it.
    if (this.timer !== null && deadline >= this.deadline) {
      this.deadline = deadline;
      return;
    }
    this.deadline = deadline;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = setTimeout(this.expire, ms);
  }

  private readonly expire = (): void => {
    this.timer = null;
    if (this.done) return;
    const now = performance.now();
    // Node timers have millisecond granularity: fire within half a millisecond of the deadline.
    if (now < this.deadline - 0.5) {
      this.timer = setTimeout(this.expire, Math.ceil(this.deadline - now));
      return;
    }
    this.deadline = Infinity;
    this.now = now;
    this.hooks.onRetransmit();
    this.handle({ kind: 'timeout' });
  };

  private end(result: SessionResult): void {
    if (this.done) return;
    this.done = true;
    if (this.timer !== null) clearTimeout(this.timer);
    // Let queued datagrams (the final ERROR, if any) leave before closing the socket.
    setImmediate(() => {
      this.sockets.peer.close();
      try {
        this.sockets.strays.close();
      } catch {
        // already closed
      }
    });
    this.file.close().catch((error: unknown) => this.logger.debug({ err: error }, 'closing tftp file failed'));
    this.hooks.onFinish(result);
  }
}
