/**
 * Server definitions flowing back from the nodes (issue: a change made on a node with `virsh
 * edit` reaches the database and the peer; two different changes are both kept and shown).
 *
 * - `recordRenderedDefinition`: version 1, the domain XML provisioning rendered. A server
 *   provisioned before Striker kept definitions got it from its `server.provision` job (migration
 *   0047; `normaliseVersionOneHashes` gives those the normalised hash at start), or, when that job
 *   was purged, from the first report of one of its nodes: a node reporting against version 1
 *   sends that version's XML too (`baseXml`, the file provisioning left on it), recorded as version
 *   1 before the report is weighed.
 * - `reportDefinition`: a node of the server's pair reports its domain's inactive XML and the
 *   version it started from. The XML must be a domain XML of this server (its name, and its uuid
 *   when it has one) and at most 256 KiB; otherwise 400 naming `body.xml`. Then, with the
 *   server's row locked:
 *     - the same definition as the version in force (normalised, domain-definition.ts): nothing
 *       changes (`unchanged`);
 *     - a change against the version in force: it becomes the next version and a `server.define`
 *       host job defines it on the peer (`accepted`);
 *     - a change against an older version: another node's change was taken since; both are kept
 *       in a conflict, the version in force stays, nothing is defined (`conflict`);
 *     - while a conflict is open, a report of either side answers `conflict` again, and any
 *       other change is refused (409) until a person settles it.
 * - `settleDefinitionConflict`: a person chooses the kept or the other side; it becomes the
 *   version in force (a new version when it differs) and is defined on both nodes, replacing
 *   either side there. Audited.
 */
import { z } from 'zod';
import { addHostJob } from '../../striker/agent/index.js';
import { audit, systemActor, type ActionOptions, type Actor } from '../../striker/audit/audit-store.js';
import { ConflictError, DecodeError, NotFoundError, ValidationError } from '../../striker/core/errors/index.js';
import { isUuid } from '../../striker/core/validation/uuid.js';
import { parseInput } from '../../striker/core/validation/zod-problems.js';
import type { Database, DbTx } from '../../striker/db/database.js';
import {
  conflictById, currentDefinition, definitionConflicts, definitionHistory, insertConflict, insertDefinition, lockServerDefinitions, markConflictSettled, openConflict,
  setDefinitionHash, versionOneDefinitions,
} from './definitions-store.js';
import { definitionHash, maxDefinitionBytes, readDomainXml } from './domain-definition.js';
import type { DefinitionConflict, DefinitionReportAnswer, Server, ServerDefinition, ServerHost } from './server-record.js';
import { getServer } from './servers-store.js';

export const definitionReportSchema = z.strictObject({
  /** The version the node held before its change. */
  baseVersion: z.int('must be a whole version number').min(1, 'must be at least 1'),
  /** `virsh dumpxml --inactive <server>` on the node. */
  xml: z.string('must be the domain XML as a string').min(1, 'must not be empty')
    .refine((x) => Buffer.byteLength(x, 'utf8') <= maxDefinitionBytes, `must be at most ${maxDefinitionBytes} bytes`),
  /** The XML of the version the node held, when it is version 1 (its definitions directory's file). */
  baseXml: z.string('must be the domain XML as a string').min(1, 'must not be empty')
    .refine((x) => Buffer.byteLength(x, 'utf8') <= maxDefinitionBytes, `must be at most ${maxDefinitionBytes} bytes`).optional(),
});

export const settleConflictSchema = z.strictObject({
  choose: z.enum(['kept', 'other'], { error: 'must be kept (the version in force) or other (the change reported second)' }),
});


/** Stores version 1, the rendered XML, unless the server has a definition already. */
export async function recordRenderedDefinition(t: DbTx, serverName: string, xml: string): Promise<ServerDefinition> {
  await lockServerDefinitions(t, serverName);
  const current = await currentDefinition(t, serverName);
  if (current !== undefined) return current;
  return insertDefinition(t, { serverName, version: 1, xml, hash: definitionHash(xml), baseVersion: null, source: 'rendered', reportedBy: null });
}

/**
 * Gives every version 1 the SHA-256 of its normalised XML. Migration 0047 stored the versions it
 * recovered with the hash of their text (SQL cannot normalise); run when Striker starts. Returns
 * the servers whose hash was replaced.
 */
export async function normaliseVersionOneHashes(db: Database): Promise<string[]> {
  const fixed: string[] = [];
  for (const d of await versionOneDefinitions(db)) {
    const hash = definitionHash(d.xml);
    if (hash === d.hash) continue;
    await db.tx((t) => setDefinitionHash(t, d.serverName, 1, hash));
    fixed.push(d.serverName);
  }
  return fixed;
}

function pairNodes(server: Server): ServerHost[] {
  return server.hosts.filter((h) => h.key === 'node1' || h.key === 'node2');
}

async function defineOn(t: DbTx, actor: Actor, host: ServerHost, d: Pick<ServerDefinition, 'serverName' | 'version' | 'xml' | 'hash'>, replaces: string[], options: ActionOptions = {}): Promise<string> {
  const job = await addHostJob(t, actor, { hostId: host.hostId, kind: 'server.define', payload: { server: d.serverName, version: d.version, xml: d.xml, hash: d.hash, replaces } }, { requestId: options.requestId });
  return job.id;
}

/** Checks a reported XML is this server's domain; the hash of its normalised form. */
function checkXml(server: Server, xml: string, path: string): string {
  try {
    const declared = readDomainXml(xml);
    const problems = [];
    if (declared.name !== server.name) problems.push({ path, message: `defines the domain '${declared.name.slice(0, 60)}', not ${server.name}` });
    if (declared.uuid !== undefined && declared.uuid !== server.id.toLowerCase()) problems.push({ path, message: `has the uuid ${declared.uuid.slice(0, 40)}, not ${server.name}'s (${server.id})` });
    if (problems.length > 0) throw new ValidationError(problems, 'server definition');
    return definitionHash(xml);
  } catch (error) {
    if (error instanceof DecodeError) throw new ValidationError([{ path, message: error.message }], 'server definition');
    throw error;
  }
}

export async function reportDefinition(db: Database, hostId: string, name: string, input: unknown): Promise<DefinitionReportAnswer> {
  const report = parseInput(definitionReportSchema, input ?? {}, 'server definition', 'body');
  return db.tx(async (t) => {
    if (!(await lockServerDefinitions(t, name))) throw new NotFoundError('server', name.slice(0, 80));
    const server = await getServer(t, name);
    const host = pairNodes(server).find((h) => h.hostId === hostId);
    if (host === undefined) throw new ConflictError(`host ${hostId} is not a node of ${server.anvil}, where ${name} runs`, { name });
    const hash = checkXml(server, report.xml, 'body.xml');
    const current = (await currentDefinition(t, name)) ?? (await versionOneFromNode(t, server, host, report));
    const open = await openConflict(t, name);
    if (open !== undefined) {
      if (hash === open.keptHash || hash === open.otherHash || hash === current.hash) return { outcome: 'conflict', version: current.version, conflictId: open.id };
      throw new ConflictError(`${name} has an open definition conflict (versions from ${open.keptBy ?? 'Striker'} and ${open.otherBy}); settle it before another change is taken`, { name, conflictId: open.id });
    }
    if (hash === current.hash) return { outcome: 'unchanged', version: current.version };
    if (report.baseVersion > current.version) {
      throw new ValidationError([{ path: 'body.baseVersion', message: `is ahead of ${name}'s version in force (${current.version})` }], 'server definition');
    }
    if (report.baseVersion === current.version) {
      const next = await insertDefinition(t, { serverName: name, version: current.version + 1, xml: report.xml, hash, baseVersion: current.version, source: 'node', reportedBy: host.name });
      const peer = pairNodes(server).find((h) => h.hostId !== hostId);
      const jobId = peer === undefined ? undefined : await defineOn(t, systemActor, peer, next, [current.hash]);
      await audit(t, systemActor, {
        action: 'server.definition.change', targetKind: 'server', targetId: name,
        details: { version: next.version, baseVersion: current.version, reportedBy: host.name, hash, ...(jobId ? { jobId, definedOn: peer!.name } : {}) },
      });
      return { outcome: 'accepted', version: next.version, ...(jobId ? { jobId } : {}) };
    }
    const conflict = await insertConflict(t, {
      serverName: name, baseVersion: report.baseVersion, keptVersion: current.version, keptBy: current.reportedBy, keptXml: current.xml, keptHash: current.hash,
      otherBy: host.name, otherXml: report.xml, otherHash: hash,
    });
    await audit(t, systemActor, {
      action: 'server.definition.conflict', targetKind: 'server', targetId: name,
      details: { conflictId: conflict.id, baseVersion: report.baseVersion, keptVersion: current.version, keptBy: current.reportedBy, otherBy: host.name },
    });
    return { outcome: 'conflict', version: current.version, conflictId: conflict.id };
  });
}

/**
 * Version 1 of a provisioned server Striker holds no definition of (provisioned before it kept
 * them, its provisioning job since purged): the XML the reporting node was provisioned with.
 */
async function versionOneFromNode(t: DbTx, server: Server, host: ServerHost, report: z.infer<typeof definitionReportSchema>): Promise<ServerDefinition> {
  if (server.provisionStep !== 'done') throw new ConflictError(`${server.name} has no definition recorded yet: it is being provisioned`, { name: server.name });
  if (report.baseVersion !== 1 || report.baseXml === undefined) {
    throw new ConflictError(`${server.name} has no definition recorded; a node reports against version 1 with its XML (baseXml) to record it`, { name: server.name });
  }
  const hash = checkXml(server, report.baseXml, 'body.baseXml');
  const first = await insertDefinition(t, { serverName: server.name, version: 1, xml: report.baseXml, hash, baseVersion: null, source: 'rendered', reportedBy: host.name });
  await audit(t, systemActor, {
    action: 'server.definition.recover', targetKind: 'server', targetId: server.name,
    details: { version: 1, reportedBy: host.name, hash },
  });
  return first;
}

export async function settleDefinitionConflict(
  db: Database, actor: Actor, name: string, conflictId: string, input: unknown, options: ActionOptions = {},
): Promise<{ conflict: DefinitionConflict; definition: ServerDefinition; jobIds: string[] }> {
  const request = parseInput(settleConflictSchema, input ?? {}, 'settlement', options.inputPath);
  if (!isUuid(conflictId)) throw new NotFoundError('definition conflict', conflictId.slice(0, 80));
  return db.tx(async (t) => {
    if (!(await lockServerDefinitions(t, name))) throw new NotFoundError('server', name.slice(0, 80));
    const conflict = await conflictById(t, conflictId);
    if (conflict === undefined || conflict.serverName !== name) throw new NotFoundError('definition conflict', conflictId);
    if (conflict.state !== 'open') throw new ConflictError(`this conflict of ${name} was settled already (${conflict.chosen} chosen, version ${conflict.settledVersion})`, { name, conflictId });
    const server = await getServer(t, name);
    const current = (await currentDefinition(t, name))!;
    const xml = request.choose === 'kept' ? conflict.keptXml : conflict.otherXml;
    const hash = request.choose === 'kept' ? conflict.keptHash : conflict.otherHash;
    const definition = hash === current.hash
      ? current
      : await insertDefinition(t, { serverName: name, version: current.version + 1, xml, hash, baseVersion: current.version, source: 'settled', reportedBy: actor.name });
    const jobIds: string[] = [];
    for (const host of pairNodes(server)) jobIds.push(await defineOn(t, actor, host, definition, [conflict.keptHash, conflict.otherHash], options));
    await markConflictSettled(t, conflictId, { chosen: request.choose, version: definition.version, by: actor.userId });
    await audit(t, actor, {
      action: 'server.definition.settle', targetKind: 'server', targetId: name,
      details: { conflictId, chosen: request.choose, version: definition.version, keptBy: conflict.keptBy, otherBy: conflict.otherBy, jobIds }, requestId: options.requestId,
    });
    return { conflict: (await conflictById(t, conflictId))!, definition, jobIds };
  });
}

/** What the API and the CLI show of a server's definition. */
export interface DefinitionView {
  version: number;
  hash: string;
  source: ServerDefinition['source'];
  reportedBy: string | null;
  createdAt: Date;
  history: Omit<ServerDefinition, 'xml'>[];
  conflicts: DefinitionConflict[];
}

export async function definitionView(db: Parameters<typeof currentDefinition>[0], name: string): Promise<DefinitionView | null> {
  const current = await currentDefinition(db, name);
  if (current === undefined) return null;
  return {
    version: current.version, hash: current.hash, source: current.source, reportedBy: current.reportedBy, createdAt: current.createdAt,
    history: await definitionHistory(db, name), conflicts: await definitionConflicts(db, name),
  };
}
