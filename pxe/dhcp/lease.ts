/**
 * Leases and the changes the lease engine makes to them. Changes are what the lease store
 * persists (before an ACK leaves) and what `onLeaseChange` listeners mirror into the database.
 */
import { formatIpv4 } from '../../striker/core/net/ipv4.js';

export type LeaseState = 'offered' | 'bound' | 'released' | 'declined';

export interface Lease {
  ip: number;
  /** RFC 2131 §4.2: the client identifier (option 61) when sent, otherwise the hardware address: `id:<hex>` / `hw:<mac>`. */
  clientKey: string;
  mac: string;
  state: LeaseState;
  /** Epoch ms: end of the lease, of the offer hold, or of the decline quarantine. */
  expiresAt: number;
  hostname?: string;
}

export type LeaseChangeKind = 'offer' | 'bind' | 'release' | 'decline';

export interface LeaseChange {
  kind: LeaseChangeKind;
  lease: Lease;
}

/** The JSON form for logs, the API and `striker leases --json`. */
export interface LeaseView {
  ip: string;
  mac: string;
  clientKey: string;
  state: LeaseState;
  expiresAt: string;
  hostname: string | null;
}

export function viewLease(lease: Lease): LeaseView {
  return {
    ip: formatIpv4(lease.ip),
    mac: lease.mac,
    clientKey: lease.clientKey,
    state: lease.state,
    expiresAt: new Date(lease.expiresAt).toISOString(),
    hostname: lease.hostname ?? null,
  };
}

/** Whether `lease` still keeps its address from other clients at `now`. */
export function holdsAddress(lease: Lease, now: number): boolean {
  return lease.state !== 'released' && lease.expiresAt > now;
}
