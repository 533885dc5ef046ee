/**
 * What two Strikers send each other while peering (all JSON, all validated; every string
 * bounded). The join request carries the site keyring and the connection details of a
 * replication role made for the new peer; the answer carries the same for the other direction.
 */
import { z } from 'zod';
import { keyringWire, siteKeyWire } from '../core/secrets/index.js';
import { peerAddress } from './peer-address.js';

const nodeName = z.string().regex(/^[a-z][a-z0-9_]{0,23}$/, 'must be a Striker node name like s0123456789ab');
const token = z.string().regex(/^[A-Za-z0-9_-]{43}$/, 'must be a 32-byte base64url token');
/** A Striker's host name as its setup wizard stored it; null before the wizard is finished. */
const hostName = z.string().min(1).max(253).regex(/^[A-Za-z0-9][A-Za-z0-9.-]*$/, 'must be a host name').nullable();

export const databaseLink = z.strictObject({
  host: z.string().min(1).max(253).regex(/^[A-Za-z0-9.:[\]-]+$/, 'must be a host name or address'),
  port: z.number().int().min(1).max(65535),
  name: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,62}$/, 'must be a database name'),
  user: z.string().regex(/^striker_peer_[a-z][a-z0-9_]{0,23}$/, 'must be a Striker replication role'),
  password: z.string().regex(/^[A-Za-z0-9_-]{43}$/, 'must be a generated password'),
});
export type DatabaseLink = z.infer<typeof databaseLink>;

export const joinRequest = z.strictObject({
  node: z.strictObject({ name: nodeName, address: peerAddress, hostName: hostName.default(null) }),
  database: databaseLink,
  keyring: keyringWire,
  /** The token both Strikers present to each other from now on. */
  token,
});
export type JoinRequest = z.input<typeof joinRequest>;

export const joinAnswer = z.strictObject({
  node: z.strictObject({ name: nodeName }),
  database: databaseLink,
  /** Whether the joining Striker copied the site's rows (it had no peer before). */
  seeded: z.boolean(),
});
export type JoinAnswer = z.infer<typeof joinAnswer>;

export const keyOffer = z.strictObject({ key: siteKeyWire, makeCurrent: z.boolean() });
export type KeyOffer = z.infer<typeof keyOffer>;

/** The peer headers on a call between peered Strikers. */
export const PEER_ID_HEADER = 'x-striker-peer';
export const PEER_TOKEN_HEADER = 'x-striker-peer-token';

/** What an admin sends to add a peer (API body, CLI options). */
export const addPeerInput = z.strictObject({
  address: peerAddress,
  /** An admin API token of the other Striker. */
  token: z.string().min(10).max(200),
});

export { hostName, nodeName };

/** Which version of a conflicting row an admin keeps: the one the rules kept, or the discarded one. */
export const resolveConflictInput = z.strictObject({ keep: z.enum(['kept', 'discarded']) });
