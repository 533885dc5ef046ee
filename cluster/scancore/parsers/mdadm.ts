/**
 * Parser for `mdadm --detail <array>`: the `Key : value` block and the member table. The format is
 * mdadm 4's (mdadm(8), "--detail"); `State` is a comma list such as `clean`, `active`,
 * `clean, degraded`, `clean, degraded, recovering`, and a rebuild adds `Rebuild Status : 37% complete`.
 */
import { DecodeError } from '../../../striker/core/errors/index.js';
import { completeLines } from './complete-lines.js';

export interface ArrayMember {
  number: number | null;
  raidDevice: number | null;
  /** The member's state words: `active sync`, `spare rebuilding`, `faulty`, `removed`, `spare`. */
  state: string;
  device: string | null;
}

export interface ArrayDetail {
  device: string;
  level: string;
  stateWords: string[];
  degraded: boolean;
  /** Rebuilding or resyncing onto a member. */
  recovering: boolean;
  rebuildPct: number | null;
  raidDevices: number;
  activeDevices: number;
  failedDevices: number;
  spareDevices: number;
  members: ArrayMember[];
}

export function parseMdadmDetail(text: string): ArrayDetail {
  const what = 'mdadm --detail output';
  const rows = completeLines(text, what);
  const head = /^(\/dev\/\S+):\s*$/.exec(rows[0]?.trim() ?? '');
  if (!head) throw new DecodeError(`expected '/dev/mdN:' on the first line — got '${(rows[0] ?? '').slice(0, 60)}'`, what, 1);
  const fields = new Map<string, string>();
  let tableAt = -1;
  rows.forEach((row, i) => {
    if (tableAt < 0 && /^\s*Number\s+Major\s+Minor\s+RaidDevice\s+State\s*$/.test(row)) tableAt = i;
    if (tableAt >= 0) return;
    const m = /^\s*([A-Za-z][A-Za-z ]*?)\s+:\s(.*)$/.exec(row);
    if (m) fields.set(m[1] ?? '', (m[2] ?? '').trim());
  });
  const need = (key: string): string => {
    const v = fields.get(key);
    if (v === undefined) throw new DecodeError(`has no '${key}' line (truncated?)`, what, 0);
    return v;
  };
  const count = (key: string): number => {
    const v = need(key);
    if (!/^\d+$/.test(v)) throw new DecodeError(`'${key}' must be a count — got '${v}'`, what, 0);
    return Number(v);
  };
  const stateWords = need('State').split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (tableAt < 0) throw new DecodeError('has no member table (truncated?)', what, 0);
  const members = rows.slice(tableAt + 1).filter((r) => r.trim() !== '').map((row, i): ArrayMember => {
    const m = /^\s*(\d+|-)\s+(\d+)\s+(\d+)\s+(\d+|-)\s+(.*?)\s*$/.exec(row);
    if (!m) throw new DecodeError(`member row '${row.trim()}' is not 'Number Major Minor RaidDevice State [device]'`, what, tableAt + 2 + i);
    const rest = m[5] ?? '';
    const dev = /\s(\/dev\/\S+)$/.exec(` ${rest}`);
    return {
      number: m[1] === '-' ? null : Number(m[1]),
      raidDevice: m[4] === '-' ? null : Number(m[4]),
      state: (dev ? rest.slice(0, rest.length - (dev[1] ?? '').length) : rest).trim(),
      device: dev ? (dev[1] ?? null) : null,
    };
  });
  const rebuild = fields.get('Rebuild Status') ?? fields.get('Resync Status');
  const pct = rebuild === undefined ? null : /^(\d+(?:\.\d+)?)% complete$/.exec(rebuild);
  if (rebuild !== undefined && !pct) throw new DecodeError(`rebuild status '${rebuild}' is not like '37% complete'`, what, 0);
  return {
    device: head[1] ?? '',
    level: need('Raid Level'),
    stateWords,
    degraded: stateWords.includes('degraded'),
    recovering: stateWords.some((w) => w.startsWith('recovering') || w.startsWith('resyncing')),
    rebuildPct: pct ? Number(pct[1]) : null,
    raidDevices: count('Raid Devices'),
    activeDevices: count('Active Devices'),
    failedDevices: count('Failed Devices'),
    spareDevices: count('Spare Devices'),
    members,
  };
}
