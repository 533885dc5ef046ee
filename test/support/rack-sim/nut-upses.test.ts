/**
 * The rack simulator's UPSes: two dummy-ups UPSes in one upsd on 127.0.0.1, read by ScanCore's
 * UPS agent with the real upsc, flipped from mains to battery to low battery and back by editing
 * their state files.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runScanCycle } from '../../../cluster/scancore/scan-cycle.js';
import { parseScancoreConfig } from '../../../cluster/scancore/scancore-config.js';
import { runCommand } from '../../../striker/core/command/run-command.js';
import { NutUpses } from './nut-upses.js';

let upses: NutUpses;
const config = parseScancoreConfig({});

beforeAll(async () => {
  upses = await NutUpses.start(['ups1', 'ups2']);
}, 60_000);
afterAll(async () => upses?.stop());

async function scan() {
  const targets = { upses: upses.names.map((n) => ({ name: n, upsName: n, address: '127.0.0.1', port: upses.port })) };
  const { readings } = await runScanCycle({ hostName: 'striker', runningOn: 'striker', targets }, { run: runCommand, config });
  return Object.fromEntries(readings.filter((r) => r.metric === 'ups.status' || r.metric === 'ups.charge').map((r) => [`${r.subject} ${r.metric}`, [r.value, r.status]]));
}

describe('rack simulator UPSes (dummy-ups, upsd, upsc)', () => {
  it('reads both on mains, then one on battery, then low, then back', async () => {
    expect(await scan()).toEqual({ 'ups1 ups.status': ['OL', 'ok'], 'ups1 ups.charge': [100, 'ok'], 'ups2 ups.status': ['OL', 'ok'], 'ups2 ups.charge': [100, 'ok'] });
    await upses.set('ups1', { status: 'OB DISCHRG', chargePct: 80, runtimeS: 1200 });
    expect(await scan()).toMatchObject({ 'ups1 ups.status': ['OB DISCHRG', 'warning'], 'ups1 ups.charge': [80, 'ok'], 'ups2 ups.status': ['OL', 'ok'] });
    await upses.set('ups1', { status: 'OB DISCHRG LB', chargePct: 9, runtimeS: 95 });
    expect(await scan()).toMatchObject({ 'ups1 ups.status': ['OB DISCHRG LB', 'critical'], 'ups1 ups.charge': [9, 'ok'] });
    await upses.set('ups1', { status: 'OL CHRG', chargePct: 40, runtimeS: 900 });
    expect(await scan()).toMatchObject({ 'ups1 ups.status': ['OL CHRG', 'ok'], 'ups1 ups.charge': [40, 'ok'] });
  }, 90_000);

  it('lists both UPSes on its upsd', async () => {
    const { stdout } = await runCommand(['upsc', '-l', `127.0.0.1:${upses.port}`], { timeoutMs: 10_000 });
    expect(stdout.trim().split('\n')).toEqual(['ups1', 'ups2']);
  });
});
