/**
 * A machine's host id in kickstart URLs (`/ks/<hostId>.ks`): its MAC with dashes, which is stable,
 * readable and fits kickstart's `[A-Za-z0-9_-]` host id (colons would not). One id per machine:
 * only the lower-case dashed spelling of its canonical MAC is a host id.
 */
import { isMac, normalizeMac } from '../striker/core/net/mac.js';

export function hostIdOf(mac: string): string {
  if (!isMac(mac)) throw new TypeError(`not a normalised MAC: ${mac.slice(0, 40)}`);
  return mac.replaceAll(':', '-');
}

/** The MAC for a host id, or undefined when the id is not one of ours. */
export function macOfHostId(hostId: string): string | undefined {
  const mac = normalizeMac(hostId);
  return mac !== undefined && hostIdOf(mac) === hostId ? mac : undefined;
}
