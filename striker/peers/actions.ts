/**
 * The peering actions, each written once for the API and the CLI: add a peer (this Striker asks
 * the other to join the site), the other side of that (accept a join), remove a peer (both
 * sides), re-seed a peer, rotate the site key, and a peer's key offer. Each validates its input,
 * makes its change and writes its audit row.
 *
 * Adding peer Y on X (X is in the site; Y is joining it):
 * 1. X asks Y for its node name (`GET`-like `POST /api/peering/node`, Y's admin API token).
 * 2. X makes sure its publication exists and makes a replication role for Y with a generated password.
 * 3. X sends `POST /api/peering/join` (the same token): its name and address, that role's
 *    connection details, the site keyring and a new shared peer token.
 * 4. Y: adopts the site keyring (when it had no peer: the site's current key becomes its own and
 *    its own sealed values are re-sealed with it), makes a role for X, subscribes to X — copying
 *    X's rows only when Y had no peer before (exactly one side seeds) — and answers with its role's
 *    connection details.
 * 5. X subscribes to Y with copy_data = false.
 * Passwords and the peer token are stored sealed with the site key; the keyring never travels
 * except in step 3 (and in a rotation's key offer), both over HTTPS or loopback HTTP.
 */
import { timingSafeEqual } from 'node:crypto';
import type { Logger } from 'pino';
import { audit, type ActionOptions, type Actor } from '../audit/audit-store.js';
import { ConflictError, NotFoundError, StrikerError } from '../core/errors/index.js';
import {
  columnContext,
  keyFromWire,
  keyringWire,
  keyToWire,
  mergeKeys,
  withCurrent,
  type EncryptedColumnRegistry,
  type SiteKeys,
} from '../core/secrets/index.js';
import { parseInput } from '../core/validation/zod-problems.js';
import type { Database } from '../db/database.js';
import { z } from 'zod';
import { loadIdentity } from '../setup/index.js';
import { callPeer } from './peer-client.js';
import { generatedSecret, type SelfLink } from './peer-link.js';
import { connectionString, type PeerReplication } from './peer-replication.js';
import { deletePeer, findPeer, insertPeer, listPeers, localNodeName, type PeerRow } from './peer-store.js';
import { addPeerInput, hostName, joinAnswer, joinRequest, keyOffer, nodeName, PEER_ID_HEADER, PEER_TOKEN_HEADER, type DatabaseLink, type JoinAnswer } from './peering-wire.js';
import { dropPeerRole, dropSlot, endRoleSessions, ensurePeerRole, peerRoleName } from './replication-role-store.js';
import { acceptKey, reencryptSecrets, rotateSiteKey, type KeyChannel, type RotationResult } from './secret-rotation.js';

export interface PeeringDeps {
  db: Database;
  keys: SiteKeys;
  registry: EncryptedColumnRegistry;
  replication: PeerReplication;
  /** This Striker's address and database as peers reach them (resolved once serve listens). */
  self: () => SelfLink;
  timeoutMs: number;
  logger: Logger;
}

const PASSWORD = columnContext('striker_peers', 'db_password');
const TOKEN = columnContext('striker_peers', 'peer_token');

const nodeAnswer = z.strictObject({ name: nodeName, peers: z.number().int().min(0), hostName: hostName.default(null) });

/** What `POST /api/peering/node` answers: who this Striker is. */
export async function nodeFacts(db: Database): Promise<z.infer<typeof nodeAnswer>> {
  return { name: await localNodeName(db), peers: (await listPeers(db)).length, hostName: await ownHostName(db) };
}

/** This Striker's host name from its setup wizard; null before the wizard is finished. */
async function ownHostName(db: Database): Promise<string | null> {
  return (await loadIdentity(db))?.identity.hostName ?? null;
}

export async function addPeer(deps: PeeringDeps, actor: Actor, input: unknown, options: ActionOptions = {}): Promise<{ peer: string; hostName: string | null; address: string; seeded: boolean }> {
  const { address, token } = parseInput(addPeerInput, input, 'the peer', options.inputPath);
  const { db, replication } = deps;
  const self = deps.self();
  const local = await localNodeName(db);
  const bearer = { bearer: token };
  const node = await callPeer({ address, peerName: address, path: 'api/peering/node', body: {}, auth: bearer, timeoutMs: deps.timeoutMs }, nodeAnswer);
  if (node.name === local) throw new ConflictError(`${address} is this Striker (${local}): a Striker cannot peer with itself`, { peer: node.name });
  if (await findPeer(db, node.name)) throw new ConflictError(`${node.name} is already a peer of ${local}; remove it first to peer again`, { peer: node.name });
  await replication.ensurePublication(db);
  const role = peerRoleName(node.name);
  const password = generatedSecret();
  const peerToken = generatedSecret();
  await ensurePeerRole(db, role, password);
  try {
    const answer = await callPeer(
      {
        address,
        peerName: node.name,
        path: 'api/peering/join',
        body: {
          node: { name: local, address: self.address, hostName: await ownHostName(db) },
          database: { ...self.database, user: role, password },
          keyring: { version: 1, current: deps.keys.keyring().current, keys: deps.keys.keyring().keys.map(keyToWire) },
          token: peerToken,
        },
        auth: bearer,
        timeoutMs: deps.timeoutMs,
      },
      joinAnswer,
    );
    if (answer.node.name !== node.name) throw new StrikerError('PEER_UNREACHABLE', `${address} answered the join as ${answer.node.name}, not ${node.name}`, { details: { peer: node.name } });
    await insertPeer(db, {
      id: node.name,
      hostName: node.hostName,
      address,
      dbHost: answer.database.host,
      dbPort: answer.database.port,
      dbName: answer.database.name,
      dbUser: answer.database.user,
      dbPassword: deps.keys.encrypt(answer.database.password, PASSWORD),
      localRole: role,
      peerToken: deps.keys.encrypt(peerToken, TOKEN),
      seededFromPeer: false,
    });
    try {
      await replication.subscribe(db, { peer: node.name, connectionString: connectionString(answer.database), copyData: false });
    } catch (error) {
      await deletePeer(db, node.name);
      throw error;
    }
    await audit(db, actor, { action: 'striker.peer.add', targetKind: 'striker_peer', targetId: node.name, details: { address, seededPeer: answer.seeded }, requestId: options.requestId });
    deps.logger.info({ peer: node.name, address, seeded: answer.seeded }, 'peered with another Striker');
    return { peer: node.name, hostName: node.hostName, address, seeded: answer.seeded };
  } catch (error) {
    if (!(await findPeer(db, node.name))) await dropPeerRole(db, role).catch(() => undefined);
    throw error;
  }
}

/** The joining side (step 4 above). `actor` is the admin whose API token the caller presented. */
export async function acceptJoin(deps: PeeringDeps, actor: Actor, body: unknown, options: ActionOptions = {}): Promise<JoinAnswer> {
  const join = parseInput(joinRequest, body, 'the join request', options.inputPath ?? 'body');
  const { db, replication, keys } = deps;
  const local = await localNodeName(db);
  const from = join.node.name;
  if (from === local) throw new ConflictError(`the join comes from this Striker's own name ${local}: a Striker cannot peer with itself`, { peer: from });
  if (await findPeer(db, from)) throw new ConflictError(`${from} is already a peer of ${local}`, { peer: from });
  const peers = await listPeers(db);
  const seeded = peers.length === 0;
  const incoming = join.keyring.keys.map(keyFromWire);
  if (seeded) {
    // Joining a site: its current key becomes this Striker's, and what this Striker sealed before is re-sealed with it.
    await keys.update((k) => withCurrent(mergeKeys(k, incoming), join.keyring.current));
    await reencryptSecrets(db, keys, deps.registry, 'all');
  } else {
    const held = new Set(keys.keyring().keys.map((k) => k.id));
    if (!incoming.some((k) => held.has(k.id))) {
      throw new ConflictError(`${local} already belongs to another site (peers: ${peers.map((p) => p.id).join(', ')}) that shares no key with ${from}'s; remove its peers first`, { peer: from });
    }
    await keys.update((k) => mergeKeys(k, incoming));
  }
  await replication.ensurePublication(db);
  const role = peerRoleName(from);
  const password = generatedSecret();
  await ensurePeerRole(db, role, password);
  try {
    await insertPeer(db, {
      id: from,
      hostName: join.node.hostName,
      address: join.node.address,
      dbHost: join.database.host,
      dbPort: join.database.port,
      dbName: join.database.name,
      dbUser: join.database.user,
      dbPassword: keys.encrypt(join.database.password, PASSWORD),
      localRole: role,
      peerToken: keys.encrypt(join.token, TOKEN),
      seededFromPeer: seeded,
    });
    try {
      await replication.subscribe(db, { peer: from, connectionString: connectionString(join.database), copyData: seeded });
    } catch (error) {
      await deletePeer(db, from);
      throw error;
    }
  } catch (error) {
    await dropPeerRole(db, role).catch(() => undefined);
    throw error;
  }
  await audit(db, actor, { action: 'striker.peer.join', targetKind: 'striker_peer', targetId: from, details: { address: join.node.address, seeded }, requestId: options.requestId });
  deps.logger.info({ peer: from, seeded }, 'joined a peer Striker');
  const self = deps.self();
  return { node: { name: local }, database: { ...self.database, user: role, password }, seeded };
}

/** The peer named by a call's peer headers, when its token matches; else UNAUTHENTICATED. */
export async function authenticatePeer(deps: Pick<PeeringDeps, 'db' | 'keys'>, headers: Record<string, string | string[] | undefined>): Promise<PeerRow> {
  const id = headers[PEER_ID_HEADER];
  const token = headers[PEER_TOKEN_HEADER];
  const refuse = () => new StrikerError('UNAUTHENTICATED', `a call between Strikers needs the ${PEER_ID_HEADER} and ${PEER_TOKEN_HEADER} headers of a current peer`);
  if (typeof id !== 'string' || typeof token !== 'string' || !nodeName.safeParse(id).success || token.length > 100) throw refuse();
  const peer = await findPeer(deps.db, id);
  if (!peer) throw refuse();
  const expected = Buffer.from(deps.keys.decrypt(peer.peerToken, TOKEN));
  const sent = Buffer.from(token);
  if (sent.length !== expected.length || !timingSafeEqual(sent, expected)) throw refuse();
  return peer;
}

/**
 * Each peer's API address and the headers that authenticate this Striker there: for calls other
 * areas make to peers (a file's bytes fetched from a peer that holds them).
 */
export async function peerCallLinks(deps: Pick<PeeringDeps, 'db' | 'keys'>): Promise<{ name: string; address: string; headers: Record<string, string> }[]> {
  const local = await localNodeName(deps.db);
  return (await listPeers(deps.db)).map((p) => ({ name: p.id, address: p.address, headers: { [PEER_ID_HEADER]: local, [PEER_TOKEN_HEADER]: deps.keys.decrypt(p.peerToken, TOKEN) } }));
}

function peerAuth(deps: PeeringDeps, local: string, peer: PeerRow) {
  return { peerId: local, token: deps.keys.decrypt(peer.peerToken, TOKEN) };
}

async function requirePeer(db: Database, id: string): Promise<PeerRow> {
  const parsed = nodeName.safeParse(id);
  const peer = parsed.success ? await findPeer(db, id) : undefined;
  if (!peer) throw new NotFoundError('peer', id.slice(0, 80));
  return peer;
}

/** Drops this Striker's side of a peering: its subscription, the peer's role and any slot the peer left here. */
async function dropLocalSide(deps: PeeringDeps, local: string, peer: PeerRow): Promise<void> {
  await deps.replication.unsubscribe(deps.db, peer.id);
  await endRoleSessions(deps.db, peer.localRole);
  await dropSlot(deps.db, deps.replication.slotName(peer.id, local));
  await dropPeerRole(deps.db, peer.localRole);
  await deletePeer(deps.db, peer.id);
}

export async function removePeer(deps: PeeringDeps, actor: Actor, id: string, options: ActionOptions = {}): Promise<{ peer: string; peerNotified: boolean; error?: string }> {
  const peer = await requirePeer(deps.db, id);
  const local = await localNodeName(deps.db);
  // Our subscription first (its slot on the peer goes with it while the peer answers), then the peer drops its side.
  await deps.replication.unsubscribe(deps.db, peer.id);
  let notifyError: string | undefined;
  try {
    await callPeer({ address: peer.address, peerName: peer.id, path: 'api/peering/leave', body: {}, auth: peerAuth(deps, local, peer), timeoutMs: deps.timeoutMs }, z.strictObject({ left: z.literal(true) }));
  } catch (error) {
    notifyError = (error as Error).message;
  }
  await dropLocalSide(deps, local, peer);
  await audit(deps.db, actor, { action: 'striker.peer.remove', targetKind: 'striker_peer', targetId: peer.id, details: { peerNotified: notifyError === undefined, ...(notifyError ? { error: notifyError } : {}) }, requestId: options.requestId });
  deps.logger.info({ peer: peer.id, peerNotified: notifyError === undefined }, 'removed a peer Striker');
  return { peer: peer.id, peerNotified: notifyError === undefined, ...(notifyError ? { error: `${notifyError} — remove ${local} on ${peer.id} too once it is back` } : {}) };
}

/** A peer's `leave` call: drop this Striker's side of the peering with it. */
export async function acceptLeave(deps: PeeringDeps, peer: PeerRow, options: ActionOptions = {}): Promise<{ left: true }> {
  const local = await localNodeName(deps.db);
  await dropLocalSide(deps, local, peer);
  await audit(deps.db, peerActor(peer), { action: 'striker.peer.left', targetKind: 'striker_peer', targetId: peer.id, requestId: options.requestId });
  return { left: true };
}

/**
 * Re-seeds the peering with `id`: this Striker's subscription to it is made again, copying the
 * peer's rows (conflict rules decide between the copied rows and this Striker's own). For a
 * Striker that was away longer than the peer's retained WAL allows (its slot there is lost).
 */
export async function reseedFromPeer(deps: PeeringDeps, actor: Actor, id: string, options: ActionOptions = {}): Promise<{ peer: string }> {
  const peer = await requirePeer(deps.db, id);
  await deps.replication.unsubscribe(deps.db, peer.id);
  const password = deps.keys.decrypt(peer.dbPassword, PASSWORD);
  await deps.replication.subscribe(deps.db, {
    peer: peer.id,
    connectionString: connectionString({ host: peer.dbHost, port: peer.dbPort, name: peer.dbName, user: peer.dbUser, password }),
    copyData: true,
  });
  await audit(deps.db, actor, { action: 'striker.peer.reseed', targetKind: 'striker_peer', targetId: peer.id, requestId: options.requestId });
  deps.logger.info({ peer: peer.id }, 're-seeded from a peer Striker');
  return { peer: peer.id };
}

/**
 * Asks peer `id` to re-seed from this Striker (its slot here was lost while it was away), then
 * resumes this Striker's own subscription to it.
 */
export async function reseedPeer(deps: PeeringDeps, actor: Actor, id: string, options: ActionOptions = {}): Promise<{ peer: string }> {
  const peer = await requirePeer(deps.db, id);
  const local = await localNodeName(deps.db);
  // The lost slot must go before the peer subscribes again under the same name.
  await endRoleSessions(deps.db, peer.localRole);
  await dropSlot(deps.db, deps.replication.slotName(peer.id, local));
  await callPeer({ address: peer.address, peerName: peer.id, path: 'api/peering/reseed', body: {}, auth: peerAuth(deps, local, peer), timeoutMs: deps.timeoutMs }, z.strictObject({ peer: nodeName, reseededFrom: nodeName }));
  // This side's subscription to the peer was stopped while the peer was away; the peering is whole again.
  await deps.replication.resume(deps.db, peer.id);
  await audit(deps.db, actor, { action: 'striker.peer.reseed-requested', targetKind: 'striker_peer', targetId: peer.id, requestId: options.requestId });
  return { peer: peer.id };
}

export async function rotateKeys(deps: PeeringDeps, actor: Actor, options: ActionOptions = {}): Promise<RotationResult> {
  const local = await localNodeName(deps.db);
  const offer = async (peerId: string, body: unknown) => {
    const peer = await requirePeer(deps.db, peerId);
    await callPeer({ address: peer.address, peerName: peer.id, path: 'api/peering/keys', body, auth: peerAuth(deps, local, peer), timeoutMs: deps.timeoutMs }, z.strictObject({ current: z.string() }));
  };
  const channel: KeyChannel = {
    peers: async () => (await listPeers(deps.db)).map((p) => ({ id: p.id, name: p.id })),
    offerKey: (peerId, key) => offer(peerId, { key: keyToWire(key), makeCurrent: false }),
    makeCurrent: (peerId, key) => offer(peerId, { key: keyToWire(key), makeCurrent: true }),
  };
  const result = await rotateSiteKey({ db: deps.db, keys: deps.keys, registry: deps.registry, channel, now: () => new Date() });
  await audit(deps.db, actor, {
    action: 'striker.secrets.rotate',
    targetKind: 'site_key',
    targetId: result.keyId,
    details: { previousKeyId: result.previousKeyId, peers: result.peers, reencrypted: result.reencrypted },
    requestId: options.requestId,
  });
  return result;
}

/** A peer's key offer (rotation steps 2 and 3). */
export async function acceptKeyOffer(deps: PeeringDeps, peer: PeerRow, body: unknown, options: ActionOptions = {}): Promise<{ current: string }> {
  const offerBody = parseInput(keyOffer, body, 'the key offer', 'body');
  await acceptKey(deps, keyFromWire(offerBody.key), offerBody.makeCurrent);
  await audit(deps.db, peerActor(peer), { action: offerBody.makeCurrent ? 'striker.secrets.key-current' : 'striker.secrets.key-added', targetKind: 'site_key', targetId: offerBody.key.id, requestId: options.requestId });
  return { current: deps.keys.keyring().current };
}

export function peerActor(peer: PeerRow): Actor {
  return { userId: null, name: `peer:${peer.id}`, role: 'admin', via: 'system' };
}

