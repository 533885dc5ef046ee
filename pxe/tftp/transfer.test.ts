import { describe, expect, it } from 'vitest';
import type { TftpPacket } from './codec.js';
import { createTransfer, step, type TransferAction, type TransferEvent, type TransferParams, type TransferState } from './transfer.js';

const policy = { retransmitMs: 1000, minRetransmitMs: 50, maxRetransmitMs: 4000, maxRetries: 3 };
const params = (over: Partial<TransferParams> = {}): TransferParams => ({
  size: 1300,
  blksize: 512,
  windowsize: 1,
  timeoutMs: null,
  oack: new Map(),
  policy,
  ...over,
});
const ack = (block: number): TransferEvent => ({ kind: 'packet', packet: { kind: 'ACK', block } });
const packet = (p: TftpPacket): TransferEvent => ({ kind: 'packet', packet: p });
const timeout: TransferEvent = { kind: 'timeout' };

function run(p: TransferParams, events: TransferEvent[]): { state: TransferState; actions: TransferAction[][] } {
  let state = createTransfer(p);
  const actions: TransferAction[][] = [];
  for (const event of [{ kind: 'start' } as const, ...events]) {
    const [next, out] = step(state, event);
    state = next;
    actions.push(out);
  }
  return { state, actions };
}

const data = (first: number, last: number): TransferAction => ({ kind: 'send-data', first, last });
const arm = (ms: number): TransferAction => ({ kind: 'arm-timer', ms });

describe('transfer state machine', () => {
  it.each([
    {
      name: 'lock-step without options: 1300 bytes at 512 → blocks 1..3 (RFC 1350 §6)',
      p: params(),
      events: [ack(1), ack(2), ack(3)],
      expected: [[data(1, 1), arm(1000)], [data(2, 2), arm(1000)], [data(3, 3), arm(1000)], [{ kind: 'finish', outcome: 'ok', bytes: 1300, reason: 'complete' }]],
    },
    {
      name: 'a size that is a multiple of blksize ends with an empty block',
      p: params({ size: 1024 }),
      events: [ack(1), ack(2), ack(3)],
      expected: [[data(1, 1), arm(1000)], [data(2, 2), arm(1000)], [data(3, 3), arm(1000)], [{ kind: 'finish', outcome: 'ok', bytes: 1024, reason: 'complete' }]],
    },
    {
      name: 'empty file: one empty block',
      p: params({ size: 0 }),
      events: [ack(1)],
      expected: [[data(1, 1), arm(1000)], [{ kind: 'finish', outcome: 'ok', bytes: 0, reason: 'complete' }]],
    },
    {
      name: 'OACK first, data after ACK 0 (RFC 2347 §3)',
      p: params({ blksize: 1024, oack: new Map([['blksize', '1024']]) }),
      events: [ack(0), ack(1), ack(2)],
      expected: [
        [{ kind: 'send-oack', options: new Map([['blksize', '1024']]) }, arm(1000)],
        [data(1, 1), arm(1000)],
        [data(2, 2), arm(1000)],
        [{ kind: 'finish', outcome: 'ok', bytes: 1300, reason: 'complete' }],
      ],
    },
    {
      name: 'stale ACK while negotiating is ignored',
      p: params({ oack: new Map([['tsize', '1300']]) }),
      events: [ack(5)],
      expected: [[{ kind: 'send-oack', options: new Map([['tsize', '1300']]) }, arm(1000)], []],
    },
    {
      name: 'duplicate ACK is ignored: no Sorcerer’s Apprentice (RFC 1123 §4.2.3.1)',
      p: params(),
      events: [ack(1), ack(1), ack(1), ack(2)],
      expected: [[data(1, 1), arm(1000)], [data(2, 2), arm(1000)], [], [], [data(3, 3), arm(1000)]],
    },
    {
      name: 'ACK beyond what was sent is ignored',
      p: params(),
      events: [ack(7)],
      expected: [[data(1, 1), arm(1000)], []],
    },
    {
      name: 'windowsize 4 sends 4 blocks per ACK (RFC 7440 §4)',
      p: params({ size: 10 * 512 + 5, windowsize: 4, oack: new Map([['windowsize', '4']]) }),
      events: [ack(0), ack(4), ack(8), ack(11)],
      expected: [
        [{ kind: 'send-oack', options: new Map([['windowsize', '4']]) }, arm(1000)],
        [data(1, 4), arm(1000)],
        [data(5, 8), arm(1000)],
        [data(9, 11), arm(1000)],
        [{ kind: 'finish', outcome: 'ok', bytes: 10 * 512 + 5, reason: 'complete' }],
      ],
    },
    {
      name: 'an ACK inside the window restarts right after it (RFC 7440 §4)',
      p: params({ size: 20 * 512, windowsize: 4, oack: new Map([['windowsize', '4']]) }),
      events: [ack(0), ack(2), ack(2), ack(6)],
      expected: [
        [{ kind: 'send-oack', options: new Map([['windowsize', '4']]) }, arm(1000)],
        [data(1, 4), arm(1000)],
        [data(3, 6), arm(1000)],
        [],
        [data(7, 10), arm(1000)],
      ],
    },
    {
      name: 'timeouts resend the outstanding window with doubling interval, capped',
      p: params({ size: 10 * 512, windowsize: 4, oack: new Map([['windowsize', '4']]) }),
      events: [ack(0), timeout, timeout, timeout],
      expected: [
        [{ kind: 'send-oack', options: new Map([['windowsize', '4']]) }, arm(1000)],
        [data(1, 4), arm(1000)],
        [data(1, 4), arm(2000)],
        [data(1, 4), arm(4000)],
        [data(1, 4), arm(4000)],
      ],
    },
    {
      name: 'timeout while negotiating resends the OACK',
      p: params({ oack: new Map([['blksize', '512']]) }),
      events: [timeout, ack(0)],
      expected: [
        [{ kind: 'send-oack', options: new Map([['blksize', '512']]) }, arm(1000)],
        [{ kind: 'send-oack', options: new Map([['blksize', '512']]) }, arm(2000)],
        [data(1, 1), arm(1000)],
      ],
    },
    {
      name: 'the client timeout option sets the interval (RFC 2349 §2), still capped',
      p: params({ timeoutMs: 3000, oack: new Map([['timeout', '3']]) }),
      events: [ack(0), timeout],
      expected: [[{ kind: 'send-oack', options: new Map([['timeout', '3']]) }, arm(3000)], [data(1, 1), arm(3000)], [data(1, 1), arm(4000)]],
    },
    {
      name: 'gives up after maxRetries with ERROR 0',
      p: params(),
      events: [ack(1), timeout, timeout, timeout, timeout, ack(2)],
      expected: [
        [data(1, 1), arm(1000)],
        [data(2, 2), arm(1000)],
        [data(2, 2), arm(2000)],
        [data(2, 2), arm(4000)],
        [data(2, 2), arm(4000)],
        [
          { kind: 'send-error', to: 'peer', code: 0, message: 'Timeout' },
          { kind: 'finish', outcome: 'timeout', bytes: 512, reason: 'no answer after 3 retransmissions' },
        ],
        [],
      ],
    },
    {
      name: 'client ERROR ends the transfer without an answer',
      p: params({ oack: new Map([['blksize', '99999']]) }),
      events: [packet({ kind: 'ERROR', code: 8, message: 'bad blksize' })],
      expected: [
        [{ kind: 'send-oack', options: new Map([['blksize', '99999']]) }, arm(1000)],
        [{ kind: 'finish', outcome: 'client-error', bytes: 0, reason: 'client sent ERROR 8: bad blksize' }],
      ],
    },
    {
      name: 'DATA from the client is an illegal operation (ERROR 4)',
      p: params(),
      events: [packet({ kind: 'DATA', block: 1, data: new Uint8Array(3) })],
      expected: [
        [data(1, 1), arm(1000)],
        [
          { kind: 'send-error', to: 'peer', code: 4, message: 'Unexpected DATA' },
          { kind: 'finish', outcome: 'illegal-operation', bytes: 0, reason: 'client sent DATA during a read transfer' },
        ],
      ],
    },
    {
      name: 'a packet from another TID gets ERROR 5 and changes nothing (RFC 1350 §4)',
      p: params(),
      events: [{ kind: 'stray' } as TransferEvent, ack(1)],
      expected: [[data(1, 1), arm(1000)], [{ kind: 'send-error', to: 'stray', code: 5, message: 'Unknown transfer ID' }], [data(2, 2), arm(1000)]],
    },
  ])('$name', ({ p, events, expected }) => {
    expect(run(p, events).actions).toEqual(expected);
  });

  it('rolls block numbers over after 65535 (files over 32 MB at 512 bytes)', () => {
    const size = 70_000 * 512 + 100;
    let state = createTransfer(params({ size }));
    let sent: TransferAction[] = [];
    [state, sent] = step(state, { kind: 'start' });
    for (let block = 1; block <= 70_000; block++) {
      [state, sent] = step(state, ack(block & 0xffff));
      expect(sent[0]).toEqual(data(block + 1, block + 1));
    }
    expect(state.acked).toBe(70_000);
    // A duplicate ACK of wire block 65535 long after the rollover is stale, not a jump ahead.
    expect(step(state, ack(65535))[1]).toEqual([]);
    [state, sent] = step(state, ack(70_001 & 0xffff));
    expect(sent).toEqual([{ kind: 'finish', outcome: 'ok', bytes: size, reason: 'complete' }]);
  });

  it('rolls over inside a window', () => {
    let state = createTransfer(params({ size: 70_000 * 512, windowsize: 16, oack: new Map([['windowsize', '16']]) }));
    state = step(state, { kind: 'start' })[0];
    state = step(state, ack(0))[0];
    let block = 16;
    while (block < 65_530) {
      state = step(state, ack(block & 0xffff))[0];
      block += 16;
    }
    expect(block).toBe(65_536);
    const [after, out] = step(state, ack(block & 0xffff));
    expect(after.acked).toBe(65_536);
    expect(out[0]).toEqual(data(65_537, 65_552));
  });

  describe('adaptive retransmission interval (RFC 6298 §2, Karn)', () => {
    const at = (block: number, ms: number): TransferEvent => ({ kind: 'packet', packet: { kind: 'ACK', block }, at: ms });
    const arms = (p: TransferParams, events: TransferEvent[]): number[] => {
      let state = createTransfer(p);
      const out: number[] = [];
      for (const event of events) {
        const [next, actions] = step(state, event);
        state = next;
        for (const a of actions) if (a.kind === 'arm-timer') out.push(a.ms);
      }
      return out;
    };
    const big = params({ size: 100 * 512 });

    it('a LAN round trip brings the interval down to the floor', () => {
      expect(arms(big, [{ kind: 'start', at: 0 }, at(1, 2), at(2, 4), at(3, 5)])).toEqual([1000, 50, 50, 50]);
    });

    it('RTO = SRTT + 4·RTTVAR, capped by retransmitMs', () => {
      expect(arms(big, [{ kind: 'start', at: 0 }, at(1, 100)])).toEqual([1000, 300]);
      expect(arms(big, [{ kind: 'start', at: 0 }, at(1, 400)])).toEqual([1000, 1000]);
    });

    it('timeouts double the adapted interval', () => {
      expect(arms(big, [{ kind: 'start', at: 0 }, at(1, 2), timeout, timeout])).toEqual([1000, 50, 100, 200]);
    });

    it('no sample from a retransmitted window (Karn), none without a clock', () => {
      expect(arms(big, [{ kind: 'start', at: 0 }, timeout, at(1, 5000), at(2, 5002)])).toEqual([1000, 2000, 1000, 50]);
      expect(arms(big, [{ kind: 'start' }, ack(1), ack(2)])).toEqual([1000, 1000, 1000]);
    });

    it('a client timeout option fixes the interval (RFC 2349 §2)', () => {
      const fixed = params({ size: 100 * 512, timeoutMs: 2000, oack: new Map([['timeout', '2']]) });
      expect(arms(fixed, [{ kind: 'start', at: 0 }, at(0, 1), at(1, 2)])).toEqual([2000, 2000, 2000]);
    });
  });

  it('ignores every event once done', () => {
    const { state } = run(params({ size: 10 }), [ack(1)]);
    expect(state.phase).toBe('done');
    for (const event of [ack(1), timeout, { kind: 'stray' } as const, { kind: 'start' } as const]) expect(step(state, event)[1]).toEqual([]);
  });
});
