/**
 * Parser for `virsh list --all`: the Id / Name / State table. Columns are found from the header's
 * positions (virsh pads them), since a state can be two words (`shut off`, `in shutdown`).
 * Fixtures are captured from virsh 9.0 against libvirt's built-in `test:///default` driver.
 */
import { DecodeError } from '../../../striker/core/errors/index.js';
import { completeLines } from './complete-lines.js';

/** The states virsh prints (libvirt's virDomainState, as `virsh` words them). */
export const serverStates = ['running', 'idle', 'paused', 'in shutdown', 'shut off', 'crashed', 'pmsuspended'] as const;
export type ServerState = (typeof serverStates)[number];

export interface ServerEntry {
  /** The libvirt id of a running domain; null when it is not running. */
  id: number | null;
  name: string;
  state: ServerState;
}

export function parseVirshList(text: string): ServerEntry[] {
  const what = 'virsh list --all output';
  const rows = completeLines(text, what);
  const headerAt = rows.findIndex((r) => r.trim() !== '');
  const header = rows[headerAt] ?? '';
  const nameCol = header.indexOf('Name');
  const stateCol = header.indexOf('State');
  if (!/^\s*Id\s+Name\s+State\s*$/.test(header) || nameCol < 0 || stateCol < 0) throw new DecodeError(`expected the header 'Id Name State' — got '${header.trim().slice(0, 60)}'`, what, headerAt + 1);
  if (!/^-+$/.test((rows[headerAt + 1] ?? '').trim())) throw new DecodeError('expected a dashed line under the header (truncated?)', what, headerAt + 2);
  return rows.slice(headerAt + 2).map((row, i) => ({ row, line: headerAt + 3 + i })).filter(({ row }) => row.trim() !== '').map(({ row, line }) => {
    const id = row.slice(0, nameCol).trim();
    const name = row.slice(nameCol, stateCol).trim();
    const state = row.slice(stateCol).trim();
    if (id !== '-' && !/^\d+$/.test(id)) throw new DecodeError(`id '${id}' is neither a number nor '-'`, what, line);
    if (name === '') throw new DecodeError(`row '${row.trim()}' has no name`, what, line);
    if (!(serverStates as readonly string[]).includes(state)) throw new DecodeError(`state '${state}' of ${name} is not one of ${serverStates.join(', ')}`, what, line);
    return { id: id === '-' ? null : Number(id), name, state: state as ServerState };
  });
}
