/**
 * A machine's host id in kickstart URLs (`/ks/<hostId>.ks`): its MAC with dashes, which is stable,
 * readable and fits kickstart's `[A-Za-z0-9_-]` host id (colons would not).
 */
const MAC = /^([0-9a-f]{2}:){5}[0-9a-f]{2}$/;
const HOST_ID = /^([0-9a-f]{2}-){5}[0-9a-f]{2}$/;

export function hostIdOf(mac: string): string {
  if (!MAC.test(mac)) throw new TypeError(`not a normalised MAC: ${mac.slice(0, 40)}`);
  return mac.replace(/:/g, '-');
}

/** The MAC for a host id, or undefined when the id is not one of ours. */
export function macOfHostId(hostId: string): string | undefined {
  return HOST_ID.test(hostId) ? hostId.replace(/-/g, ':') : undefined;
}
