import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, quietLogger, type TestDatabase } from '../test/support/test-database.js';
import { systemActor } from '../striker/audit/audit-store.js';
import { describeMachine, getMachine } from '../striker/machines/index.js';
import { hostIdOf } from './host-id.js';
import { markInstallFailed, markRegistered } from './host-store.js';
import { InstallTimeout } from './install-timeout.js';
import { MemoryTimeline } from '../pxe/boot/timeline.js';
import { generateToken } from './registration-token.js';
import { ServedKickstartTokens } from './token-store.js';

async function serveKickstart(db: TestDatabase['db'], hostId: string): Promise<void> {
  const issued = generateToken(new Date(), 3600);
  await new ServedKickstartTokens(db).put(hostId, issued.hash, issued.expiresAt);
}

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(async () => t.drop());

describe('machine state along the install', () => {
  it('an assigned machine that fetched its kickstart is installing, and installed once it registers', async () => {
    const mac = '52:54:00:c1:00:01';
    await describeMachine(t.db, systemActor, mac, { role: 'node', hostname: 'an-a01n01' });
    expect((await getMachine(t.db, mac)).state).toBe('assigned');
    await serveKickstart(t.db, hostIdOf(mac));
    expect((await getMachine(t.db, mac)).state).toBe('installing');
    await markRegistered(t.db, hostIdOf(mac));
    expect((await getMachine(t.db, mac)).state).toBe('installed');
  });

  it('leaves a machine without a role discovered', async () => {
    const mac = '52:54:00:c1:00:02';
    await describeMachine(t.db, systemActor, mac, { hostname: 'spare' });
    const before = (await getMachine(t.db, mac)).state;
    await serveKickstart(t.db, hostIdOf(mac));
    expect((await getMachine(t.db, mac)).state).toBe(before);
    expect(before).not.toBe('installing');
  });
});

describe('failed installs', () => {
  it('a failure report with the latest token fails the machine with its reason; an earlier token changes nothing; registering clears it', async () => {
    const mac = '52:54:00:c1:00:03';
    const hostId = hostIdOf(mac);
    await describeMachine(t.db, systemActor, mac, { role: 'node' });
    const first = generateToken(new Date(), 3600);
    const store = new ServedKickstartTokens(t.db);
    await store.put(hostId, first.hash, first.expiresAt);
    const second = generateToken(new Date(), 3600);
    await store.put(hostId, second.hash, second.expiresAt);
    expect(await markInstallFailed(t.db, hostId, first.hash, 'stale report')).toBe(false);
    expect(await getMachine(t.db, mac)).toMatchObject({ state: 'installing', installError: null });
    expect(await markInstallFailed(t.db, hostId, second.hash, '%pre failed (exit 1): no local disk of at least 8 GiB')).toBe(true);
    expect(await getMachine(t.db, mac)).toMatchObject({ state: 'failed', installError: '%pre failed (exit 1): no local disk of at least 8 GiB' });
    expect(await markInstallFailed(t.db, hostIdOf('52:54:00:c1:00:99'), second.hash, 'x')).toBe(false);
    await markRegistered(t.db, hostId);
    expect(await getMachine(t.db, mac)).toMatchObject({ state: 'installed', installError: null });
  });

  it('an install with no report within the timeout fails with the reason and a kickstart.failed event; a recent one does not', async () => {
    const [stalled, recent] = ['52:54:00:c1:00:04', '52:54:00:c1:00:05'];
    for (const mac of [stalled, recent]) {
      await describeMachine(t.db, systemActor, mac, { role: 'node' });
      await serveKickstart(t.db, hostIdOf(mac));
    }
    await t.db.write(`UPDATE machines SET install_started_at = clock_timestamp() - interval '121 minutes' WHERE mac = $1`, [stalled]);
    await t.db.write(`UPDATE machines SET install_started_at = clock_timestamp() - interval '119 minutes' WHERE mac = $1`, [recent]);
    const timeline = new MemoryTimeline();
    const at = new Date('2026-12-06T21:00:00Z');
    const timeout = new InstallTimeout({ db: t.db, timeline, minutes: 120, log: quietLogger, now: () => at });
    expect(await timeout.check()).toEqual([stalled]);
    expect(await getMachine(t.db, stalled)).toMatchObject({ state: 'failed', installError: 'no report from the installer in 120 minutes' });
    expect((await getMachine(t.db, recent)).state).toBe('installing');
    expect(timeline.events).toEqual([{ step: 'kickstart.failed', mac: stalled, at, details: { reason: 'no report from the installer in 120 minutes', timeout: true } }]);
    // Checked again: nothing more to fail.
    expect(await timeout.check()).toEqual([]);
    await timeout.stop();
  });
});
