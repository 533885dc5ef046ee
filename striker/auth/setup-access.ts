/**
 * Who may create the first admin: until one exists, first-run setup answers only requests from
 * loopback (the Striker's own console or an SSH tunnel) or from an address the configuration
 * names (`auth.setupAddresses`), so nobody else on the network can claim a fresh Striker.
 */
import { isIpv4, parseCidr, parseIpv4, prefixContains } from '../core/net/ipv4.js';

/** Whether a request from `ip` (as the socket reports it) may run first-run setup. */
export function maySetUp(ip: string, setupAddresses: readonly string[]): boolean {
  const address = ip.startsWith('::ffff:') ? ip.slice('::ffff:'.length) : ip;
  if (address === '::1') return true;
  const value = parseIpv4(address);
  if (value === undefined) return false;
  if (value >>> 24 === 127) return true;
  return setupAddresses.some((entry) => {
    if (isIpv4(entry)) return entry === address;
    const prefix = parseCidr(entry);
    return prefix !== undefined && prefixContains(prefix, value);
  });
}
