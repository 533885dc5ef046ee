import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { runSimulation, simPair, type SimEvent, type SimPair } from '../../test/support/scancore-pair-sim.js';
import { coolDownMs, decide, type Decision } from './decide.js';
import type { NodeView, PairView } from './pair-view.js';
import { parseScancoreConfig } from './scancore-config.js';

const config = parseScancoreConfig({});
const T = Date.parse('2026-12-06T00:00:00Z');

/** A simulated pair and a clock; `until(s)` runs the engine every 30 s up to `s` seconds after T. */
function world(pair: SimPair) {
  const clock = { now: T };
  let memory = {};
  const log: SimEvent[] = [];
  return {
    pair,
    n1: pair.nodes[0],
    n2: pair.nodes[1],
    until(s: number): { at: number; kind: Decision['kind']; summary: string }[] {
      const run = runSimulation([pair], config, clock, (T + s * 1000 - clock.now) / 1000, memory);
      memory = run.memory;
      log.push(...run.events);
      return run.events.map(({ at, decision: d }) => ({ at: (at - T) / 1000, kind: d.kind, summary: summary(d) }));
    },
    log,
    where: () => Object.fromEntries(pair.servers),
  };
}

function summary(d: Decision): string {
  switch (d.kind) {
    case 'migrate-servers': return [`${d.from}→${d.to}`, d.servers.join(','), `(${d.cause})`].filter(Boolean).join(' ');
    case 'withdraw-node': return [`${d.node}→${d.to}`, d.servers.join(','), `(${d.cause})`].filter(Boolean).join(' ');
    case 'shutdown': return [`${d.nodes.join(',')} stop`, d.servers.join(','), `(${d.cause})`].filter(Boolean).join(' ');
    case 'boot-nodes': return [`${d.nodes.join(',')} start`, d.servers.join(','), `(${d.cause})`].filter(Boolean).join(' ');
  }
}

describe('preventative migration', () => {
  it('the seed scenario, in full', () => {
    const w = world(simPair('a1', { srv01: 'n01', srv02: 'n01', srv03: 'n02' }));
    w.n1.fan = 'critical'; // node1 loses a fan
    expect(w.until(300)).toEqual([{ at: 150, kind: 'migrate-servers', summary: 'a1n01→a1n02 srv01,srv02 (health)' }]);
    const fanMove = w.log[0]?.decision;
    expect(fanMove?.reasons).toEqual(['a1n01 scores 5, a1n02 0, for 120 s', 'a1n01: fan failed: FAN1 is 300 (+5)']);

    w.n2.array = 'degraded'; // node2's array degrades: worse than a fan
    expect(w.until(600)).toEqual([{ at: 450, kind: 'migrate-servers', summary: 'a1n02→a1n01 srv01,srv02,srv03 (health)' }]);

    w.n2.array = 'rebuilding'; // a hot spare takes over and rebuilds
    expect(w.until(900)).toEqual([{ at: 750, kind: 'migrate-servers', summary: 'a1n01→a1n02 srv01,srv02,srv03 (health)' }]);
    w.n2.array = 'clean'; // rebuilt
    expect(w.until(1200)).toEqual([]);

    w.n1.fan = 'ok'; // node1's fan repaired: equal health, nothing moves
    expect(w.until(4800)).toEqual([]);
    expect(w.where()).toEqual({ srv01: 'a1n02', srv02: 'a1n02', srv03: 'a1n02' });
  });

  it('does not move before the grace period, nor when the gap closes within it', () => {
    const w = world(simPair('a1', { srv01: 'n01' }));
    w.n1.fan = 'critical';
    expect(w.until(120)).toEqual([]);
    w.n1.fan = 'ok';
    expect(w.until(3600)).toEqual([]);
  });

  it('no move when both are equally sick', () => {
    const w = world(simPair('a1', { srv01: 'n01', srv02: 'n02' }));
    w.n1.fan = 'critical';
    w.n2.fan = 'critical';
    expect(w.until(3600)).toEqual([]);
  });

  it('a link down counts only after 60 s, and then moves the servers after the grace', () => {
    const w = world(simPair('a1', { srv01: 'n01' }));
    w.n1.link = 'down';
    // link seen down at 30; counts from 90 (60 s); grace of 120 s from 90 → 210.
    expect(w.until(600)).toEqual([{ at: 210, kind: 'migrate-servers', summary: 'a1n01→a1n02 srv01 (health)' }]);
  });

  it('less RAM than the peer makes a node the sicker one', () => {
    const w = world(simPair('a1', { srv01: 'n01' }, { nodes: [{ ramBytes: 64 * 2 ** 30 }, {}] }));
    expect(w.until(600)).toEqual([{ at: 150, kind: 'migrate-servers', summary: 'a1n01→a1n02 srv01 (health)' }]);
  });

  it('does not act on readings that have gone stale', () => {
    const control = world(simPair('a1', { srv01: 'n01' }));
    control.until(180);
    control.n1.fan = 'critical';
    expect(control.until(3600)).toEqual([{ at: 330, kind: 'migrate-servers', summary: 'a1n01→a1n02 srv01 (health)' }]);

    const w = world(simPair('a1', { srv01: 'n01' }));
    w.until(60);
    w.pair.silent.add('a1n02'); // node2's readings stop arriving after 60 s
    w.until(180);
    w.n1.fan = 'critical';
    // node2's last readings go stale at 60 + 180 s, before the grace is reached: its health is unknown, not healthy.
    expect(w.until(3600)).toEqual([]);
  });
});

describe('power', () => {
  const upses = () => [
    { name: 'ups1', feeds: ['a1n01', 'a1n02'], onBattery: false, lowBattery: false, chargePct: 100, runtimeS: 3600 },
    { name: 'ups2', feeds: ['a1n01', 'a1n02'], onBattery: false, lowBattery: false, chargePct: 100, runtimeS: 3600 },
  ];

  it('one UPS on battery: nothing; all on battery: shed load, then shut down below the floor, then boot when charged', () => {
    const w = world(simPair('a1', { srv01: 'n01', srv02: 'n02' }, { nodes: [{}, { syncSource: true }], upses: upses() }));
    const [ups1, ups2] = w.pair.upses as [typeof w.pair.upses[0], typeof w.pair.upses[0]];
    ups1.onBattery = true;
    w.n1.fan = 'critical'; // a health gap does not move servers during a power event
    expect(w.until(1800)).toEqual([]);
    w.n1.fan = 'ok';

    ups2.onBattery = true;
    // all on battery from 1830; load shed 120 s later: the DRBD sync source (node2) keeps the servers
    expect(w.until(2400)).toEqual([{ at: 1950, kind: 'withdraw-node', summary: 'a1n01→a1n02 srv01 (power)' }]);
    expect(w.log.at(-1)?.decision.reasons).toEqual(['every UPS feeding a1 has been on battery for 120 s (ups1 3600 s left, ups2 3600 s left): shedding load', 'a1n02 stays: it is the DRBD sync source']);

    ups1.runtimeS = 900;
    ups2.runtimeS = 700;
    expect(w.until(2700)).toEqual([]);
    ups1.runtimeS = 540;
    ups2.runtimeS = 420;
    expect(w.until(3000)).toEqual([{ at: 2730, kind: 'shutdown', summary: 'a1n02 stop srv01,srv02 (power)' }]);
    expect(w.log.at(-1)?.decision.reasons[1]).toBe('best hold-up time 540 s is below the floor of 600 s');

    for (const u of [ups1, ups2]) Object.assign(u, { onBattery: false, chargePct: 20 });
    expect(w.until(3600)).toEqual([]); // mains back, not charged enough
    ups2.chargePct = 36;
    expect(w.until(4200)).toEqual([{ at: 3630, kind: 'boot-nodes', summary: 'a1n01,a1n02 start srv01,srv02 (power)' }]);
    expect(w.n1.power).toBe('on');
    expect(w.where()).toEqual({ srv01: 'a1n01', srv02: 'a1n01' });
    expect(w.until(7200)).toEqual([]);
  });

  it('without a sync source, the node that already runs more servers stays', () => {
    const w = world(simPair('a1', { srv01: 'n01', srv02: 'n02', srv03: 'n02' }, { upses: upses() }));
    for (const u of w.pair.upses) u.onBattery = true;
    expect(w.until(600)).toEqual([{ at: 150, kind: 'withdraw-node', summary: 'a1n01→a1n02 srv01 (power)' }]);
  });

  it('a stale UPS is not taken to be on battery', () => {
    const w = world(simPair('a1', { srv01: 'n01' }, { upses: upses() }));
    w.pair.upses[0]!.onBattery = true;
    w.pair.upses[1]!.onBattery = true;
    w.pair.silent.add('a1n01');
    w.pair.silent.add('a1n02');
    expect(w.until(3600)).toEqual([]);
  });
});

describe('thermal', () => {
  it('one node hot: servers off it and powered off; boots after a cool-down that grows with each repeat', () => {
    const w = world(simPair('a1', { srv01: 'n01', srv02: 'n02' }));
    w.n1.temperature = 'critical';
    expect(w.until(100)).toEqual([{ at: 30, kind: 'withdraw-node', summary: 'a1n01→a1n02 srv01 (thermal)' }]);
    w.n1.temperature = 'ok';
    expect(w.until(690)).toEqual([{ at: 630, kind: 'boot-nodes', summary: 'a1n01 start (thermal)' }]);
    w.n1.temperature = 'critical';
    expect(w.until(740)).toEqual([{ at: 720, kind: 'withdraw-node', summary: 'a1n01→a1n02 (thermal)' }]);
    w.n1.temperature = 'ok';
    // second thermal shutdown within 24 h: cool-down 600 × 2 = 1200 s from 720
    expect(w.until(3000)).toEqual([{ at: 1920, kind: 'boot-nodes', summary: 'a1n01 start (thermal)' }]);
    expect(w.log.at(-1)?.decision.reasons[0]).toMatch(/cool-down of 1200 s \(2 thermal shutdown\(s\) in 24 h\)/);
  });

  it('a node still hot is not booted, however long it waits', () => {
    const w = world(simPair('a1', { srv01: 'n01' }));
    w.n1.temperature = 'critical';
    expect(w.until(7200).map((e) => e.kind)).toEqual(['withdraw-node']);
  });

  it('both hot: shed load, then shut the last node down, then boot both after the cool-down', () => {
    const w = world(simPair('a1', { srv01: 'n01', srv02: 'n02' }, { nodes: [{}, { syncSource: true }] }));
    w.n1.temperature = 'critical';
    w.n2.temperature = 'critical';
    expect(w.until(400)).toEqual([
      { at: 30, kind: 'withdraw-node', summary: 'a1n01→a1n02 srv01 (thermal)' },
      { at: 330, kind: 'shutdown', summary: 'a1n02 stop srv01,srv02 (thermal)' },
    ]);
    w.n1.temperature = 'ok';
    w.n2.temperature = 'ok';
    expect(w.until(3600)).toEqual([
      { at: 1230, kind: 'boot-nodes', summary: 'a1n01 start srv01,srv02 (thermal)' },
      { at: 1530, kind: 'boot-nodes', summary: 'a1n02 start (thermal)' },
    ]);
  });

  it('the cool-down grows by the factor and stops at the maximum', () => {
    expect([1, 2, 3, 4, 10].map((n) => coolDownMs(n, config) / 1000)).toEqual([600, 1200, 2400, 4800, 21600]);
  });
});

describe('never two conflicting decisions', () => {
  const node = (name: string): fc.Arbitrary<NodeView> => fc.record({
    name: fc.constant(name), hostId: fc.constant(name), inCluster: fc.boolean(), power: fc.constantFrom('on', 'off', 'unknown'),
    servers: fc.subarray(['s1', 's2', 's3', 's4']), health: fc.nat(20).map((score) => ({ hostId: name, score, reasons: [] })),
    temperature: fc.constantFrom('ok', 'warning', 'critical', 'unknown'), syncSource: fc.boolean(), fresh: fc.boolean(),
  }) as fc.Arbitrary<NodeView>;
  const ups = (name: string) => fc.record({ name: fc.constant(name), feeds: fc.constant<string[]>(['n1', 'n2']), fresh: fc.boolean(), onBattery: fc.boolean(), lowBattery: fc.boolean(), chargePct: fc.option(fc.nat(100)), runtimeS: fc.option(fc.nat(4000)) });
  const pairView = fc.record({ id: fc.constant('p'), nodes: fc.tuple(node('n1'), node('n2')), upses: fc.tuple(ups('u1'), ups('u2')), actionInProgress: fc.boolean() }) as fc.Arbitrary<PairView>;

  it('over random sequences: at most one decision per pair per round, never towards a node that is off, hot or out of the cluster', () => {
    fc.assert(fc.property(fc.array(pairView, { minLength: 1, maxLength: 12 }), (rounds) => {
      let memory = {};
      rounds.forEach((view, i) => {
        const now = T + i * 60_000;
        const { decisions, memory: next } = decide([view], now, config, memory);
        memory = next;
        expect(decisions.length).toBeLessThanOrEqual(1);
        for (const d of decisions) {
          if (d.kind === 'migrate-servers' || d.kind === 'withdraw-node') {
            const to = view.nodes.find((n) => n.name === d.to) as NodeView;
            expect(to.inCluster).toBe(true);
            expect(to.power).not.toBe('off');
            if (d.cause !== 'thermal' || d.kind === 'migrate-servers') expect(to.temperature).not.toBe('critical');
            expect(d.to).not.toBe(d.kind === 'migrate-servers' ? d.from : d.node);
          }
          if (view.actionInProgress) expect(d).toMatchObject({ kind: 'shutdown', cause: 'power' });
        }
      });
    }), { numRuns: 500 });
  });
});
