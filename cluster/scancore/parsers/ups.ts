/**
 * Parser for NUT's `upsc <ups>@<host>:<port>` dump: one `variable: value` per line. NUT drives USB,
 * serial and SNMP UPSes alike, so this one parser covers them all. Fixtures are captured from
 * NUT 2.8's `dummy-ups` driver read with the real `upsc` (test/fixtures/scancore/ups).
 *
 * `ups.status` is a list of flags (NUT developer guide, "Status data"): OL on line, OB on battery,
 * LB low battery, CHRG/DISCHRG, RB replace battery, BYPASS, OVER overload, OFF, FSD forced
 * shutdown. A driver that has not reached its UPS yet reports `WAIT` — no reading at all.
 */
import { DecodeError } from '../../../striker/core/errors/index.js';
import { completeLines } from './complete-lines.js';

export interface UpsState {
  name: string;
  flags: string[];
  onLine: boolean;
  onBattery: boolean;
  lowBattery: boolean;
  replaceBattery: boolean;
  /** Battery charge in percent (0–100), null when the UPS does not report it. */
  chargePct: number | null;
  /** Estimated run time on battery in seconds, null when not reported. */
  runtimeS: number | null;
  loadPct: number | null;
  model: string | null;
}

const knownFlags = new Set(['OL', 'OB', 'LB', 'HB', 'RB', 'CHRG', 'DISCHRG', 'BYPASS', 'CAL', 'OFF', 'OVER', 'TRIM', 'BOOST', 'FSD', 'ALARM', 'TEST']);

export function parseUpsc(text: string, name: string): UpsState {
  const what = `upsc output for ${name}`;
  const vars = new Map<string, string>();
  completeLines(text, what).forEach((row, i) => {
    if (row.trim() === '') return;
    const at = row.indexOf(': ');
    if (at <= 0) throw new DecodeError(`expected 'variable: value' — got '${row.slice(0, 60)}'`, what, i + 1);
    vars.set(row.slice(0, at), row.slice(at + 2).trim());
  });
  const status = vars.get('ups.status');
  if (status === undefined) throw new DecodeError('has no ups.status (truncated, or not a upsc dump)', what, 0);
  const flags = status.split(/\s+/).filter((f) => f !== '');
  if (flags.includes('WAIT')) throw new DecodeError("ups.status is WAIT: the driver has not reached the UPS yet", what, 0);
  const unknown = flags.filter((f) => !knownFlags.has(f));
  if (flags.length === 0 || unknown.length > 0) throw new DecodeError(`ups.status '${status}' has unknown flags ${unknown.join(' ')}`.trim(), what, 0);
  if (flags.includes('OL') && flags.includes('OB')) throw new DecodeError(`ups.status '${status}' says both on line and on battery`, what, 0);
  const num = (key: string, min: number, max: number): number | null => {
    const v = vars.get(key);
    if (v === undefined) return null;
    const n = Number(v);
    if (v === '' || !Number.isFinite(n) || n < min || n > max) throw new DecodeError(`${key} must be a number from ${min} to ${max} — got '${v}'`, what, 0);
    return n;
  };
  return {
    name,
    flags,
    onLine: flags.includes('OL'),
    onBattery: flags.includes('OB'),
    lowBattery: flags.includes('LB'),
    replaceBattery: flags.includes('RB'),
    chargePct: num('battery.charge', 0, 100),
    runtimeS: num('battery.runtime', 0, 1e7),
    loadPct: num('ups.load', 0, 1000),
    model: vars.get('ups.model') ?? vars.get('device.model') ?? null,
  };
}
