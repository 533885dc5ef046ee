/**
 * Names of the replication objects. One publication per Striker; one subscription per peer, named
 * for the peer; the slot on the peer is named for both ends, because every Striker subscribing to
 * the same peer makes a slot there and slot names are unique per PostgreSQL cluster.
 */
import { ValidationError } from '../../core/errors/index.js';

export const PUBLICATION = 'striker';
export const SUBSCRIPTION_PREFIX = 'striker_sub_';
/** NOTIFY channel of the replication triggers (a conflict was recorded). */
export const REPLICATION_CHANNEL = 'striker_replication';

const NODE_NAME = /^[a-z][a-z0-9_]{0,23}$/;

/** A Striker's node name: a lower-case identifier of at most 24 characters. */
export function checkNodeName(name: string, field = 'name'): string {
  if (!NODE_NAME.test(name)) {
    throw new ValidationError([{ path: field, message: `${field} must be a lower-case identifier like striker_b (a letter, then up to 23 of a-z, 0-9, _) — got '${name.slice(0, 40)}'` }]);
  }
  return name;
}

export function subscriptionName(peer: string): string {
  return SUBSCRIPTION_PREFIX + checkNodeName(peer);
}

export function peerOfSubscription(subscription: string): string | undefined {
  return subscription.startsWith(SUBSCRIPTION_PREFIX) ? subscription.slice(SUBSCRIPTION_PREFIX.length) : undefined;
}

export function slotName(localNode: string, peer: string): string {
  return `striker_${checkNodeName(localNode)}_from_${checkNodeName(peer)}`;
}
