import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DecodeError } from '../../striker/core/errors/index.js';
import { decodePacket, encodePacket } from './codec.js';
import { parseDhcpConfig } from './config.js';
import { decide } from './decide.js';
import { dumpPacket } from './dump.js';
import { fuzzPacket, Rng } from './fuzz-corpus.js';
import { LeaseTable } from './lease-table.js';
import { compileDhcpConfig } from './subnets.js';

const fixtures = join(dirname(fileURLToPath(import.meta.url)), '../../test/fixtures/dhcp');
const seeds = readdirSync(fixtures).filter((f) => f.endsWith('.bin')).map((f) => new Uint8Array(readFileSync(join(fixtures, f))));

describe('fuzz: decode + decide on 1,000,000 random and mutated packets', () => {
  it('throws nothing but DecodeError and counts every packet by outcome', () => {
    const plan = compileDhcpConfig(parseDhcpConfig({
      interfaces: ['eth0'], serverAddress: '10.88.0.1', mode: 'full',
      subnets: [{ cidr: '10.88.0.0/24', pools: [{ start: '10.88.0.100', end: '10.88.0.200' }], router: '10.88.0.1' }],
      reservations: [{ mac: '52:54:00:77:01:10', ip: '10.88.0.50' }],
    }));
    const proxyPlan = { ...plan, mode: 'proxy' as const };
    const leases = new LeaseTable();
    const rng = new Rng(20261123);
    const outcomes = new Map<string, number>();
    const bump = (k: string) => outcomes.set(k, (outcomes.get(k) ?? 0) + 1);
    const total = 1_000_000;
    let now = 1_700_000_000_000;
    for (let i = 0; i < total; i++) {
      const bytes = fuzzPacket(rng, seeds);
      let packet;
      try {
        packet = decodePacket(bytes);
      } catch (error) {
        if (!(error instanceof DecodeError)) throw new Error(`packet ${i} (${Buffer.from(bytes).toString('hex')}) threw ${String(error)}`);
        if (!(error.offset >= 0 && error.offset <= bytes.length)) throw new Error(`packet ${i}: offset ${error.offset} outside ${bytes.length} bytes`);
        bump(`decode:${error.field.replace(/^option (\d+).*/, 'option')}`);
        continue;
      }
      now += 3;
      const d = decide({ plan: i % 7 === 0 ? proxyPlan : plan, leases }, { packet, now, port: i % 11 === 0 ? 'proxy' : 'server', source: { address: 0x0a580002, port: 68 }, reservation: undefined });
      for (const c of d.changes) leases.apply(c);
      if (d.reply !== undefined) {
        encodePacket(d.reply.packet);
        bump('answered');
      } else bump(`drop:${d.drop ?? 'recorded'}`);
      if (i % 1000 === 0) dumpPacket(packet);
      if (i % 100_000 === 0) leases.sweep(now, 0);
    }
    const counted = [...outcomes.values()].reduce((a, b) => a + b, 0);
    console.log(Object.fromEntries([...outcomes].sort()));
    expect(counted).toBe(total);
    expect(outcomes.get('answered') ?? 0).toBeGreaterThan(10_000);
    expect([...outcomes.keys()].filter((k) => k.startsWith('decode:')).length).toBeGreaterThan(4);
  }, 240_000);
});
