/**
 * A peer's address: the base URL of its API. Peering sends a credential and hands over the site
 * key, so it goes over HTTPS, or over plain HTTP only to a loopback address (two Strikers on one
 * machine, as in tests).
 */
import { isIP } from 'node:net';
import { z } from 'zod';

const LOOPBACK_NAMES = new Set(['localhost', '[::1]', '::1']);

export function isLoopbackHost(hostname: string): boolean {
  if (LOOPBACK_NAMES.has(hostname)) return true;
  return isIP(hostname) === 4 && hostname.startsWith('127.');
}

/** Why `raw` is not a peer address, or undefined when it is one. */
export function peerAddressProblem(raw: string): string | undefined {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'must be a URL like https://striker2.example.com:8443/';
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return `must be an https:// URL — got ${url.protocol}`;
  if (url.protocol === 'http:' && !isLoopbackHost(url.hostname)) return 'must be https:// (plain http:// is accepted for a loopback address only: peering carries credentials and the site key)';
  if (url.username !== '' || url.password !== '') return 'must not carry a user name or password (give the credential separately)';
  if (url.search !== '' || url.hash !== '') return 'must not have a query or fragment';
  return undefined;
}

/** The normalised base URL (ends with /). */
export function normalisePeerAddress(raw: string): string {
  const url = new URL(raw);
  if (!url.pathname.endsWith('/')) url.pathname += '/';
  return url.toString();
}

export const peerAddress = z
  .string()
  .max(300, 'must be at most 300 characters')
  .superRefine((s, ctx) => {
    const problem = peerAddressProblem(s);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  })
  .transform(normalisePeerAddress);
