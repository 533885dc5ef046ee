/**
 * MAC-48 addresses (IEEE 802), canonical form `52:54:00:12:34:56`: lower case, colons — what
 * Linux (`ip link`), dnsmasq and PostgreSQL's `macaddr` print, and the form every table, log
 * field and API value in Striker uses.
 *
 * The one rule for a MAC in text: six octets of two hex digits each, either case, separated all
 * by `:` or all by `-` (IEEE 802's own hyphen form, also the spelling in PXELINUX and GRUB
 * per-MAC file names and in kickstart host ids). Nothing else: no whitespace, no mixed
 * separators, no bare twelve-digit form (it reads just as well as a serial number or a name).
 * Pure: no sockets.
 */
import { z } from 'zod';

const COLON = 58;
const DASH = 45;

/** Whether `text` is already a MAC in canonical form (lower case, colons). */
export function isMac(text: string): boolean {
  return text.length === 17 && scan(text, COLON) === 'canonical';
}

/** A MAC in canonical form, or undefined when `text` breaks the rule above. No regex. */
export function normalizeMac(text: string): string | undefined {
  if (text.length !== 17) return undefined;
  const separator = text.charCodeAt(2);
  if (separator !== COLON && separator !== DASH) return undefined;
  const verdict = scan(text, separator);
  if (verdict === undefined) return undefined;
  if (verdict === 'canonical' && separator === COLON) return text;
  const t = verdict === 'upper' ? text.toLowerCase() : text;
  return `${t.slice(0, 2)}:${t.slice(3, 5)}:${t.slice(6, 8)}:${t.slice(9, 11)}:${t.slice(12, 14)}:${t.slice(15, 17)}`;
}

/** Checks hex pairs and separators; 'canonical' when no upper-case digit was seen. */
function scan(text: string, separator: number): 'canonical' | 'upper' | undefined {
  let upper = false;
  for (let i = 0; i < 17; i++) {
    const c = text.charCodeAt(i);
    if (i % 3 === 2) {
      if (c !== separator) return undefined;
    } else if ((c >= 48 && c <= 57) || (c >= 97 && c <= 102)) {
      continue;
    } else if (c >= 65 && c <= 70) {
      upper = true;
    } else {
      return undefined;
    }
  }
  return upper ? 'upper' : 'canonical';
}

const HEX = Array.from({ length: 256 }, (_, b) => b.toString(16).padStart(2, '0'));

/** The first `length` bytes of a hardware address (`chaddr`) in canonical form, e.g. `52:54:00:12:34:56`. */
export function formatMac(bytes: Uint8Array, length = bytes.length): string {
  if (length <= 0) return '';
  let out = HEX[bytes[0] ?? 0]!;
  for (let i = 1; i < length; i++) out += `:${HEX[bytes[i] ?? 0]!}`;
  return out;
}

/** zod: a MAC in any spelling the rule accepts in, canonical form out. */
export const macSchema = z
  .string()
  .refine((text) => normalizeMac(text) !== undefined, 'must be a MAC address like 52:54:00:12:34:56')
  .transform((text) => normalizeMac(text)!);
