/**
 * Parser for `smartctl -j -H -A <device>` (smartmontools 7, JSON format 1.0). smartctl reports its
 * own trouble in `smartctl.exit_status` (a bit mask, smartctl(8) "RETURN VALUES") and
 * `smartctl.messages`: bits 0–2 mean the device could not be read at all, bit 3 that the
 * disk's own health check says FAILING.
 */
import { DecodeError } from '../../../striker/core/errors/index.js';
import { arrayAt, numberAt, objectAt, parseJsonOutput, stringAt, type JsonObject } from './decode-json.js';

export interface DiskHealth {
  device: string;
  model: string | null;
  /** The drive's overall SMART self-assessment. */
  passed: boolean;
  temperatureC: number | null;
  /** ATA attribute 5 (Reallocated_Sector_Ct) raw value, when the drive has it. */
  reallocatedSectors: number | null;
  /** ATA attribute 197 (Current_Pending_Sector) raw value, when the drive has it. */
  pendingSectors: number | null;
}

export function parseSmartctl(text: string): DiskHealth {
  const what = 'smartctl -j output';
  const doc = objectAt(parseJsonOutput(text, what), what, '(root)');
  const tool = objectAt(doc.smartctl, what, 'smartctl');
  const exit = numberAt(tool, 'exit_status', what, 'smartctl');
  const device = doc.device === undefined ? null : stringAt(objectAt(doc.device, what, 'device'), 'name', what, 'device');
  if ((exit & 0b111) !== 0) {
    const messages = tool.messages === undefined ? [] : arrayAt(tool.messages, what, 'smartctl.messages').map((m) => String((m as JsonObject | null)?.string ?? ''));
    const argv = tool.argv === undefined ? [] : arrayAt(tool.argv, what, 'smartctl.argv').map(String);
    throw new DecodeError(`smartctl could not read ${device ?? argv.at(-1) ?? 'the device'} (exit status ${exit}): ${messages.join('; ') || 'no message'}`, what, 0, { details: { exitStatus: exit } });
  }
  if (device === null) throw new DecodeError('device must be an object — got nothing', what, 0);
  const status = objectAt(doc.smart_status, what, 'smart_status');
  if (typeof status.passed !== 'boolean') throw new DecodeError('smart_status.passed must be true or false', what, 0);
  const attrs = doc.ata_smart_attributes === undefined ? [] : arrayAt(objectAt(doc.ata_smart_attributes, what, 'ata_smart_attributes').table, what, 'ata_smart_attributes.table');
  const raw = (id: number): number | null => {
    const index = attrs.findIndex((a) => (a as JsonObject | null)?.id === id);
    if (index < 0) return null;
    const path = `ata_smart_attributes.table[${index}]`;
    return numberAt(objectAt(objectAt(attrs[index], what, path).raw, what, `${path}.raw`), 'value', what, `${path}.raw`);
  };
  const temperature = doc.temperature === undefined ? null : numberAt(objectAt(doc.temperature, what, 'temperature'), 'current', what, 'temperature');
  return {
    device,
    model: typeof doc.model_name === 'string' ? doc.model_name : null,
    passed: status.passed,
    temperatureC: temperature,
    reallocatedSectors: raw(5),
    pendingSectors: raw(197),
  };
}
