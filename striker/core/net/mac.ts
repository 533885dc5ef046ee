/**
 * MAC-48 addresses (IEEE 802): written `52:54:00:12:34:56`, lower case, colons. Input may use
 * upper case or dashes (`52-54-00-12-34-56`, as in kickstart host ids and PXELINUX file names).
 */
import { z } from 'zod';

const CANONICAL = /^([0-9a-f]{2}:){5}[0-9a-f]{2}$/;

/** Whether `mac` is already in canonical form (lower case, colon separated). */
export function isMac(mac: string): boolean {
  return CANONICAL.test(mac);
}

/** A MAC in canonical form, or undefined when `raw` is not a MAC in any accepted spelling. */
export function normalizeMac(raw: string): string | undefined {
  const mac = raw.trim().toLowerCase().replace(/-/g, ':');
  return CANONICAL.test(mac) ? mac : undefined;
}

/** zod schema: any accepted spelling in, canonical form out. */
export const macSchema = z
  .string()
  .transform((s) => s.trim().toLowerCase().replace(/-/g, ':'))
  .pipe(z.string().regex(CANONICAL, 'must be a MAC address like 52:54:00:12:34:56'));
