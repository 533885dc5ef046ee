import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import type { Lease, LeaseChange } from './lease.js';
import { LeaseJournal } from './lease-journal.js';

const logger = pino({ level: 'silent' });
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function dir(): string {
  const d = mkdtempSync(join(tmpdir(), 'stk-dhcp-journal-'));
  dirs.push(d);
  return d;
}
const future = Date.now() + 3_600_000;
const bind = (i: number, expiresAt = future): LeaseChange => ({
  kind: 'bind',
  lease: { ip: 0x0a000000 + i, clientKey: `hw:52:54:00:00:${(i >> 8).toString(16).padStart(2, '0')}:${(i & 255).toString(16).padStart(2, '0')}`, mac: '52:54:00:00:00:01', state: 'bound', expiresAt },
});

describe('LeaseJournal', () => {
  it('recovers every committed lease after reopening', async () => {
    const d = dir();
    const a = new LeaseJournal({ directory: d, logger });
    expect(await a.load()).toEqual([]);
    await a.commit([bind(1)]);
    await a.commit([{ kind: 'bind', lease: { ...bind(2).lease, hostname: 'node2' } }]);
    await a.commit([{ kind: 'offer', lease: { ...bind(3).lease, state: 'offered' } }]);
    await a.commit([{ kind: 'release', lease: { ...bind(1).lease, state: 'released' } }]);
    await a.close();
    const b = new LeaseJournal({ directory: d, logger });
    const leases = await b.load();
    expect(leases.map((l: Lease) => [l.ip, l.state, l.hostname])).toEqual([[0x0a000002, 'bound', 'node2']]);
    await b.close();
  });

  it('shares one fdatasync among many concurrent commits (group commit)', async () => {
    const j = new LeaseJournal({ directory: dir(), logger });
    await j.load();
    await Promise.all(Array.from({ length: 2000 }, (_, i) => j.commit([bind(i)])));
    expect(j.syncs).toBeGreaterThan(0);
    expect(j.syncs).toBeLessThan(50);
    await j.close();
  });

  it('ignores a torn last line and damaged lines, keeps the rest', async () => {
    const d = dir();
    const j = new LeaseJournal({ directory: d, logger });
    await j.load();
    await j.commit([bind(1), bind(2)]);
    await j.close();
    appendFileSync(join(d, 'leases.journal'), 'garbage line\nbind\t10.0.0.3\t12');
    const k = new LeaseJournal({ directory: d, logger });
    expect((await k.load()).length).toBe(2);
    expect(k.damagedLines).toBe(1);
    await k.close();
  });

  it('compacts: expired leases dropped, live ones kept, file shrinks', async () => {
    const d = dir();
    const j = new LeaseJournal({ directory: d, logger, compactSlack: 100 });
    await j.load();
    for (let round = 0; round < 5; round++) await Promise.all(Array.from({ length: 50 }, (_, i) => j.commit([bind(i)])));
    await j.commit([bind(999, Date.now() - 1)]);
    await j.close();
    const lines = readFileSync(join(d, 'leases.journal'), 'utf8').trim().split('\n').length;
    expect(lines).toBeLessThan(250);
    const k = new LeaseJournal({ directory: d, logger });
    const leases = await k.load();
    expect(leases.length).toBe(50);
    expect(readFileSync(join(d, 'leases.journal'), 'utf8').trim().split('\n').length).toBe(50);
    await k.close();
  });
});
