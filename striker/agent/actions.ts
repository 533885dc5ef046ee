/**
 * The agent area's actions, each once for the API, the CLI and registration: the change and its
 * audit row in one transaction. Issuing a credential when a host registers (the one before
 * revoked), rotating and revoking it, recording an inventory, addressing a job to a host, and
 * the audit row of a refused agent request.
 */
import { audit, type ActionOptions, type Actor } from '../audit/audit-store.js';
import { hashSecret, newSecret } from '../auth/secret-token.js';
import { NotFoundError, ValidationError } from '../core/errors/index.js';
import { problemsFromZod } from '../core/validation/zod-problems.js';
import type { Database, DbTx, DbWriter } from '../db/database.js';
import type { Job } from '../jobs/job.js';
import { insertJob } from '../jobs/job-store.js';
import { agentCredentialPrefix, hostIdPattern } from './agent-credential-format.js';
import { hostJobKindNames, hostJobKinds, hostJobPayloads, isHostJobKind } from './host-job-kinds.js';
import { insertCredential, liveCredentialOf, revokeLiveCredential } from './credential-store.js';
import { hostKnown, saveInventory } from './host-agent-store.js';
import type { Inventory } from './inventory-schema.js';

/** The content of /etc/striker/agent-credentials.json: the answer to registration and to a rotation. */
export interface IssuedCredential {
  hostId: string;
  credentialId: string;
  /** The secret, shown this once. */
  credential: string;
  issuedAt: string;
}

/** Who issues a credential at registration: Striker, on the host's behalf. */
export function registrationActor(peerIp: string): Actor {
  return { userId: null, name: `registration from ${peerIp}`.slice(0, 100), role: 'admin', via: 'system' };
}

async function issue(t: DbWriter, actor: Actor, hostId: string, why: 'registration' | 'rotation', requestId: string | undefined): Promise<IssuedCredential> {
  const revoked = await revokeLiveCredential(t, hostId, why);
  if (revoked !== undefined) {
    await audit(t, actor, { action: 'agent.credential.revoke', targetKind: 'host', targetId: hostId, details: { credentialId: revoked, reason: why }, requestId });
  }
  const credential = newSecret(agentCredentialPrefix);
  const row = await insertCredential(t, hostId, hashSecret(credential), why);
  await audit(t, actor, {
    action: why === 'registration' ? 'agent.credential.issue' : 'agent.credential.rotate',
    targetKind: 'host',
    targetId: hostId,
    details: { credentialId: row.id, ...(revoked === undefined ? {} : { replaces: revoked }) },
    requestId,
  });
  return { hostId, credentialId: row.id, credential, issuedAt: row.issuedAt.toISOString() };
}

function checkHostId(hostId: string): void {
  if (!hostIdPattern.test(hostId)) throw new ValidationError([{ path: 'hostId', message: `must be a host id like 52-54-00-12-34-56 — got '${hostId.slice(0, 64)}'` }], 'host');
}

/**
 * A host registered with its one-time token: a fresh credential; any older one stops working.
 * Runs in the registration's transaction (the one spending the token), so a failure here leaves
 * the token usable.
 */
export async function issueCredentialAtRegistration(t: DbTx, hostId: string, peerIp: string, options: ActionOptions = {}): Promise<IssuedCredential> {
  checkHostId(hostId);
  return issue(t, registrationActor(peerIp), hostId, 'registration', options.requestId);
}

/**
 * A new credential for a registered host, shown once; the old one stops working at once. The
 * answer is the new content of the host's agent-credentials.json.
 */
export async function rotateCredential(db: Database, actor: Actor, hostId: string, options: ActionOptions = {}): Promise<IssuedCredential> {
  checkHostId(hostId);
  return db.tx(async (t) => {
    if ((await liveCredentialOf(t, hostId)) === undefined) throw new NotFoundError('live agent credential of host', hostId);
    return issue(t, actor, hostId, 'rotation', options.requestId);
  });
}

/** Revokes the host's credential: its agent is refused until the host registers again. */
export async function revokeCredential(db: Database, actor: Actor, hostId: string, options: ActionOptions = {}): Promise<{ hostId: string; credentialId: string }> {
  checkHostId(hostId);
  return db.tx(async (t) => {
    const id = await revokeLiveCredential(t, hostId, 'revoked');
    if (id === undefined) throw new NotFoundError('live agent credential of host', hostId);
    await audit(t, actor, { action: 'agent.credential.revoke', targetKind: 'host', targetId: hostId, details: { credentialId: id, reason: 'revoked' }, requestId: options.requestId });
    return { hostId, credentialId: id };
  });
}

/** The actor an agent acts as in audit rows. */
export function agentActor(hostId: string): Actor {
  return { userId: null, name: `agent:${hostId}`, role: 'viewer', via: 'token' };
}

/** Stores an inventory the agent sent (already validated); refused when the agent never said hello. */
export async function recordInventory(db: Database, hostId: string, inventory: Inventory): Promise<void> {
  const saved = await saveInventory(db, hostId, inventory);
  if (!saved) throw new NotFoundError('agent of host (say hello first)', hostId);
}

export type AgentRefusal = 'oversized-inventory' | 'invalid-request' | 'other-host-job' | 'not-agent-route' | 'unknown-credential';

/** The audit row of a refused agent request (written on its own: the request changed nothing). */
export async function auditRefusal(db: Database, who: { hostId: string | null; credentialId?: string }, refusal: AgentRefusal, details: Record<string, unknown>, requestId?: string): Promise<void> {
  const actor: Actor = who.hostId === null ? { userId: null, name: 'unknown agent', role: 'viewer', via: 'token' } : agentActor(who.hostId);
  await audit(db, actor, {
    action: 'agent.refused',
    targetKind: 'host',
    targetId: who.hostId ?? '',
    details: { refusal, ...(who.credentialId === undefined ? {} : { credentialId: who.credentialId }), ...details },
    requestId,
  });
}

/** Addresses a job to a host: the kind must be a host kind and the payload must match its schema. */
export async function enqueueHostJob(
  db: Database,
  actor: Actor,
  request: HostJobRequest,
  options: ActionOptions = {},
): Promise<Job> {
  return db.tx((t) => addHostJob(t, actor, request, options));
}

export interface HostJobRequest {
  hostId: string;
  kind: string;
  payload: unknown;
  /** Jobs that must succeed first. */
  waitsFor?: readonly string[];
}

/**
 * `enqueueHostJob` inside the caller's transaction (a manifest run adds a graph of jobs at once).
 * A kind that is held until a later feature runs it (`heldReason`) is enqueued held.
 */
export async function addHostJob(t: DbTx, actor: Actor, request: HostJobRequest, options: ActionOptions = {}): Promise<Job> {
  const at = options.inputPath ?? '';
  const path = (p: string) => (at === '' ? p : `${at}.${p}`);
  checkHostId(request.hostId);
  if (!isHostJobKind(request.kind)) {
    throw new ValidationError([{ path: path('kind'), message: `must be one of ${hostJobKindNames.join(', ')} — got '${request.kind.slice(0, 64)}'` }], 'host job');
  }
  const info = hostJobKinds[request.kind];
  const parsed = hostJobPayloads[request.kind].safeParse(request.payload ?? {});
  if (!parsed.success) throw new ValidationError(problemsFromZod(parsed.error, request.payload, path('payload')), `${info.kind} job`);
  if (!(await hostKnown(t, request.hostId))) throw new NotFoundError('registered host', request.hostId);
  const job = await insertJob(t, {
    kind: info.kind,
    payload: parsed.data,
    targetHost: request.hostId,
    maxAttempts: info.maxAttempts,
    retryOnStale: info.onStale === 'retry',
    createdBy: actor.userId,
    waitsFor: request.waitsFor ?? [],
    heldReason: info.heldReason ?? null,
  });
  await audit(t, actor, { action: 'job.enqueue', targetKind: 'job', targetId: job.id, details: { kind: job.kind, hostId: request.hostId }, requestId: options.requestId });
  return job;
}

/** A registration refused (a replayed, expired or forged one-time token): its audit row. */
export async function auditRegistrationRefused(db: Database, hostId: string, peerIp: string, reason: string): Promise<void> {
  await audit(db, registrationActor(peerIp), { action: 'agent.registration.refused', targetKind: 'host', targetId: hostId.slice(0, 64), details: { reason, peer: peerIp } });
}
