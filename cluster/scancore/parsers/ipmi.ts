/**
 * Parsers for `ipmitool` output: `sensor` (value, unit, status and the six thresholds),
 * `sdr elist` (status and reading per SDR), `chassis power status` and `sel elist`.
 * Fixtures are captured from ipmitool 1.8 against OpenIPMI's `ipmi_sim` (test/fixtures/scancore/ipmi).
 *
 * ipmitool's status columns use the IPMI 2.0 threshold names (§36.3): `nc`/`lnc`/`unc`
 * non-critical, `cr`/`lcr`/`ucr` critical, `nr`/`lnr`/`unr` non-recoverable, `ns` no reading,
 * `na` not available (discrete sensors).
 */
import { DecodeError } from '../../../striker/core/errors/index.js';
import type { ReadingStatus } from '../reading.js';
import { completeLines } from './complete-lines.js';

export type SensorKind = 'temperature' | 'fan' | 'voltage' | 'power' | 'current' | 'other';

export interface SensorThresholds {
  lowerNonRecoverable: number | null;
  lowerCritical: number | null;
  lowerNonCritical: number | null;
  upperNonCritical: number | null;
  upperCritical: number | null;
  upperNonRecoverable: number | null;
}

export interface IpmiSensor {
  name: string;
  kind: SensorKind;
  /** Null for a discrete sensor or one with no reading. */
  value: number | null;
  unit: string;
  status: ReadingStatus;
  /** ipmitool's own status word (`ok`, `nc`, `cr`, `nr`, `na`, `ns`…). */
  rawStatus: string;
  thresholds: SensorThresholds;
}

export interface SdrEntry {
  name: string;
  sensorId: string;
  status: ReadingStatus;
  rawStatus: string;
  entity: string;
  /** The reading as ipmitool printed it: `40 degrees C`, `No Reading`, `Device Present`. */
  reading: string;
  value: number | null;
  unit: string;
}

export interface SelEntry {
  id: number;
  /** `12/06/2026 10:55:01`, or `Pre-Init 0000022081` for events logged before the BMC knew the time. */
  when: string;
  sensor: string;
  event: string;
  asserted: boolean;
  detail: string;
}

const statusWords: Record<string, ReadingStatus> = {
  ok: 'ok',
  nc: 'warning', lnc: 'warning', unc: 'warning',
  cr: 'critical', lcr: 'critical', ucr: 'critical',
  nr: 'critical', lnr: 'critical', unr: 'critical',
  ns: 'unknown', na: 'unknown',
};

function statusOf(word: string, what: string, line: number): ReadingStatus {
  const s = statusWords[word.toLowerCase()];
  if (s === undefined) throw new DecodeError(`unknown sensor status '${word}' (expected ok, nc, cr, nr, ns or na)`, what, line);
  return s;
}

export function sensorKindOf(unit: string): SensorKind {
  const u = unit.toLowerCase();
  if (u.startsWith('degrees')) return 'temperature';
  if (u === 'rpm') return 'fan';
  if (u === 'volts') return 'voltage';
  if (u === 'watts') return 'power';
  if (u === 'amps') return 'current';
  return 'other';
}

function numberOrNull(text: string, what: string, line: number, field: string): number | null {
  const t = text.trim();
  if (t === 'na' || t === '' || t.startsWith('0x')) return null;
  const n = Number(t);
  if (!Number.isFinite(n)) throw new DecodeError(`${field} '${t}' is not a number`, what, line);
  return n;
}

function lines(text: string, what: string): { text: string; line: number }[] {
  return completeLines(text, what).map((t, i) => ({ text: t, line: i + 1 })).filter((l) => l.text.trim() !== '');
}

/** `ipmitool sensor`: ten `|`-separated columns per sensor. */
export function parseIpmiSensor(text: string): IpmiSensor[] {
  const what = 'ipmitool sensor output';
  const sensors: IpmiSensor[] = [];
  for (const { text: row, line } of lines(text, what)) {
    const cols = row.split('|').map((c) => c.trim());
    if (cols.length !== 10) throw new DecodeError(`expected 10 columns, got ${cols.length}: '${row.trim()}'`, what, line);
    const [name = '', value = '', unit = '', status = '', ...t] = cols;
    const num = (i: number, field: string): number | null => numberOrNull(t[i] ?? '', what, line, `${name} ${field}`);
    // A discrete sensor's status column is its state bits in hex (`0x0180`), not a threshold status.
    const discrete = unit === 'discrete';
    if (discrete && !/^0x[0-9a-f]+$/i.test(status) && status !== 'na') throw new DecodeError(`discrete sensor ${name} state '${status}' is not hexadecimal`, what, line);
    sensors.push({
      name,
      kind: discrete ? 'other' : sensorKindOf(unit),
      value: discrete ? null : numberOrNull(value, what, line, `${name} value`),
      unit: discrete ? '' : unit,
      status: discrete ? 'unknown' : statusOf(status, what, line),
      rawStatus: status,
      thresholds: {
        lowerNonRecoverable: num(0, 'lnr'), lowerCritical: num(1, 'lcr'), lowerNonCritical: num(2, 'lnc'),
        upperNonCritical: num(3, 'unc'), upperCritical: num(4, 'ucr'), upperNonRecoverable: num(5, 'unr'),
      },
    });
  }
  if (sensors.length === 0) throw new DecodeError('lists no sensors', what, 0);
  return sensors;
}

/** `ipmitool sdr elist`: name | id | status | entity | reading. */
export function parseSdrElist(text: string): SdrEntry[] {
  const what = 'ipmitool sdr elist output';
  const entries: SdrEntry[] = [];
  for (const { text: row, line } of lines(text, what)) {
    const cols = row.split('|').map((c) => c.trim());
    if (cols.length !== 5) throw new DecodeError(`expected 5 columns, got ${cols.length}: '${row.trim()}'`, what, line);
    const [name = '', sensorId = '', status = '', entity = '', reading = ''] = cols;
    if (!/^[0-9a-f]+h$/i.test(sensorId)) throw new DecodeError(`sensor id '${sensorId}' is not like '01h'`, what, line);
    const m = /^(-?\d+(?:\.\d+)?)\s+(.+)$/.exec(reading);
    entries.push({
      name, sensorId, status: statusOf(status, what, line), rawStatus: status, entity, reading,
      value: m ? Number(m[1]) : null,
      unit: m ? (m[2] ?? '') : '',
    });
  }
  if (entries.length === 0) throw new DecodeError('lists no sensors', what, 0);
  return entries;
}

/** `ipmitool chassis power status`. */
export function parseChassisPower(text: string): 'on' | 'off' {
  const m = /^Chassis Power is (on|off)\s*$/.exec(text.trim());
  if (!m) throw new DecodeError(`expected 'Chassis Power is on|off' — got '${text.trim().slice(0, 60)}'`, 'ipmitool chassis power status output', 0);
  return m[1] as 'on' | 'off';
}

/**
 * `ipmitool sel elist`: id | date | time | sensor | event | Asserted/Deasserted [| detail].
 * An empty SEL prints nothing on stdout ("SEL has no entries" goes to stderr).
 */
export function parseSelElist(text: string): SelEntry[] {
  const what = 'ipmitool sel elist output';
  return lines(text, what).map(({ text: row, line }) => {
    const cols = row.split('|').map((c) => c.trim());
    if (cols.length < 6) throw new DecodeError(`expected at least 6 columns, got ${cols.length}: '${row.trim()}'`, what, line);
    const [id = '', date = '', time = '', sensor = '', event = '', direction = '', ...rest] = cols;
    if (!/^[0-9a-f]+$/i.test(id)) throw new DecodeError(`record id '${id}' is not hexadecimal`, what, line);
    if (direction !== 'Asserted' && direction !== 'Deasserted') throw new DecodeError(`expected Asserted or Deasserted — got '${direction}'`, what, line);
    return { id: Number.parseInt(id, 16), when: `${date} ${time}`, sensor, event, asserted: direction === 'Asserted', detail: rest.join(' | ') };
  });
}
