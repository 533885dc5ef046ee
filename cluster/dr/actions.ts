/**
 * Each DR action once — validation, the change, the audit row — called by the HTTP routes and the
 * CLI alike (and, for the two reports, by the DR host's agent).
 *
 * - `linkDr`: the pair's manifest must have a DR host with an SN address; stores the link
 *   (`linking`) and enqueues `dr.link` on the DR host, in one transaction.
 * - `unlinkDr`: refused (409) while any server of the pair is protected; deletes the link.
 * - `protectServer` / `unprotectServer`: the server must be provisioned and its pair linked; the
 *   resource files are rendered (protect-plan.ts) and `dr.protect` / `dr.unprotect` enqueued on
 *   node1 and node2, and on the DR host once both are done. The server's hosts gain the DR host
 *   at once (so allocation keeps its minor and ports free there).
 * - `recordLinked`, `recordProtectionDone`: the DR host's agent reports that its job finished; a
 *   link made by a manifest run (no row yet) is stored then, async and always-on.
 * - `drStatus`: links and protections; a change whose host job failed is marked `failed` with the
 *   job's error as it is read.
 */
import { addHostJob, type HostJobPayload } from '../../striker/agent/index.js';
import { audit, type ActionOptions, type Actor } from '../../striker/audit/audit-store.js';
import { ConflictError, NotFoundError, ValidationError, type Problem } from '../../striker/core/errors/index.js';
import { problemsFromZod } from '../../striker/core/validation/zod-problems.js';
import type { Database, DbTx } from '../../striker/db/database.js';
import { jobsByIds } from '../../striker/jobs/job-store.js';
import { renderMessage, type Job } from '../../striker/jobs/job.js';
import { listManifests, pairNames, type ManifestView } from '../../striker/manifest/index.js';
import { getServer, type Server, type ServersConfig } from '../servers/index.js';
import { existingAllocations } from '../servers/servers-store.js';
import { drHostOf } from './dr-pair.js';
import type { DrHostJobs, DrLink, DrProtection } from './dr-record.js';
import { drLinkRequestSchema, drProtectRequestSchema, drUnlinkRequestSchema } from './dr-request.js';
import {
  deleteDrLink, deleteProtection, getDrLink, getProtection, insertDrLink, insertProtection, listDrLinks, listProtections, lockDr,
  setLinkJob, setLinkState, setServerHosts, updateProtection,
} from './dr-store.js';
import { planProtection } from './protect-plan.js';

const at = (prefix: string, path: string) => (prefix === '' ? path : path === '' ? prefix : `${prefix}.${path}`);

function parse<T>(schema: { safeParse(v: unknown): { success: true; data: T } | { success: false; error: import('zod').ZodError } }, input: unknown, prefix: string, what: string): T {
  if (input === undefined || input === null || typeof input !== 'object') throw new ValidationError([{ path: prefix === '' ? what : prefix, message: 'is required (a JSON object)' }], what);
  const r = schema.safeParse(input);
  if (!r.success) throw new ValidationError(problemsFromZod(r.error, input, prefix), what);
  return r.data;
}

async function manifestOfPair(t: DbTx | Database, anvil: string): Promise<ManifestView | undefined> {
  return (await listManifests(t)).find((m) => m.name === anvil || pairNames(m.document.pair).anvil === anvil)?.document;
}

function linkPayload(manifest: ManifestView): HostJobPayload<'dr.link'> {
  const names = pairNames(manifest.pair);
  const peer = (key: 'node1' | 'node2') => ({ hostName: names.hosts[key].short, addresses: manifest.hosts[key].addresses });
  return { anvilName: names.anvil, hostName: names.hosts.dr.short, addresses: manifest.hosts.dr!.addresses, nodes: [peer('node1'), peer('node2')] };
}

export async function linkDr(db: Database, actor: Actor, input: unknown, options: ActionOptions = {}): Promise<{ link: DrLink; job: Job }> {
  const prefix = options.inputPath ?? '';
  const req = parse(drLinkRequestSchema, input, prefix, 'DR link');
  return db.tx(async (t) => {
    await lockDr(t);
    const manifest = await manifestOfPair(t, req.anvil);
    const problems: Problem[] = [];
    const dr = manifest === undefined ? undefined : drHostOf(manifest);
    if (manifest === undefined) problems.push({ path: at(prefix, 'anvil'), message: `names no pair: no install manifest is called '${req.anvil}'` });
    else if (dr === undefined) problems.push({ path: at(prefix, 'anvil'), message: `${req.anvil}'s manifest has no DR host (hosts.dr)` });
    else if (dr.snAddress === undefined) problems.push({ path: at(prefix, 'anvil'), message: `${req.anvil}'s DR host ${dr.name} has no SN address in the manifest: DRBD replicates over the SN` });
    if (problems.length > 0 || manifest === undefined || dr === undefined || dr.snAddress === undefined) throw new ValidationError(problems, 'DR link');
    const existing = await getDrLink(t, req.anvil);
    if (existing !== undefined && existing.state !== 'failed') throw new ConflictError(`${req.anvil} is linked to its DR host ${existing.drHost} already (${existing.state})`, { anvil: req.anvil });
    if (existing !== undefined) await deleteDrLink(t, req.anvil);
    const created = await insertDrLink(t, {
      anvil: req.anvil, drHost: dr.name, drHostId: dr.hostId, drSnAddress: dr.snAddress,
      protocol: req.protocol, mode: req.mode, schedule: req.schedule ?? null, state: 'linking',
    });
    const job = await addHostJob(t, actor, { hostId: dr.hostId, kind: 'dr.link', payload: linkPayload(manifest) }, options);
    await setLinkJob(t, req.anvil, job.id);
    await audit(t, actor, {
      action: 'dr.link', targetKind: 'anvil', targetId: req.anvil,
      details: { drHost: dr.name, protocol: req.protocol, mode: req.mode, schedule: req.schedule ?? null, jobId: job.id }, requestId: options.requestId,
    });
    return { link: { ...created, linkJob: job.id }, job };
  });
}

export async function unlinkDr(db: Database, actor: Actor, input: unknown, options: ActionOptions = {}): Promise<{ anvil: string }> {
  const req = parse(drUnlinkRequestSchema, input, options.inputPath ?? '', 'DR unlink');
  return db.tx(async (t) => {
    await lockDr(t);
    const link = await getDrLink(t, req.anvil);
    if (link === undefined) throw new NotFoundError('DR link', req.anvil.slice(0, 80));
    const protections = await listProtections(t, { anvil: req.anvil });
    if (protections.length > 0) {
      throw new ConflictError(`${req.anvil} cannot be unlinked from ${link.drHost}: ${protections.length} server(s) are protected (${protections.map((p) => `${p.serverName} ${p.state}`).join(', ')}); unprotect them first`, {
        anvil: req.anvil, servers: protections.map((p) => p.serverName),
      });
    }
    await deleteDrLink(t, req.anvil);
    await audit(t, actor, { action: 'dr.unlink', targetKind: 'anvil', targetId: req.anvil, details: { drHost: link.drHost }, requestId: options.requestId });
    return { anvil: req.anvil };
  });
}

async function linkedPairOf(t: DbTx, server: Server): Promise<DrLink> {
  const link = await getDrLink(t, server.anvil);
  if (link === undefined) throw new ConflictError(`${server.anvil} has no DR link; link its DR host first (striker dr link)`, { server: server.name });
  if (link.state !== 'linked') throw new ConflictError(`${server.anvil}'s DR link is ${link.state}, not linked`, { server: server.name });
  return link;
}

async function enqueueOnThree(t: DbTx, actor: Actor, kind: 'dr.protect' | 'dr.unprotect', plan: ReturnType<typeof planProtection>['protect'], options: ActionOptions): Promise<DrHostJobs> {
  const node1 = await addHostJob(t, actor, { hostId: plan.node1.host.hostId, kind, payload: plan.node1.payload }, options);
  const node2 = await addHostJob(t, actor, { hostId: plan.node2.host.hostId, kind, payload: plan.node2.payload }, options);
  const dr = await addHostJob(t, actor, { hostId: plan.dr.host.hostId, kind, payload: plan.dr.payload, waitsFor: [node1.id, node2.id] }, options);
  return { node1: node1.id, node2: node2.id, dr: dr.id };
}

export async function protectServer(db: Database, config: ServersConfig, actor: Actor, input: unknown, options: ActionOptions = {}): Promise<{ protection: DrProtection; jobs: DrHostJobs }> {
  const prefix = options.inputPath ?? '';
  const req = parse(drProtectRequestSchema, input, prefix, 'DR protection');
  return db.tx(async (t) => {
    await lockDr(t);
    const server = await getServer(t, req.server);
    if (server.provisionStep !== 'done') throw new ConflictError(`server ${server.name} is not provisioned (step ${server.provisionStep}); it cannot be protected yet`, { server: server.name });
    const link = await linkedPairOf(t, server);
    const before = await getProtection(t, server.name);
    if (before !== undefined && before.state !== 'failed') throw new ConflictError(`server ${server.name} is ${before.state} already`, { server: server.name });
    let plan: ReturnType<typeof planProtection>;
    try {
      plan = planProtection(server, link, config, await existingAllocations(t));
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      throw new ValidationError(((error.details['problems'] as Problem[] | undefined) ?? []).map((p) => ({ ...p, path: at(prefix, p.path) })), 'DR protection');
    }
    await setServerHosts(t, server.name, plan.hosts);
    if (before !== undefined) await deleteProtection(t, server.name);
    await insertProtection(t, { serverName: server.name, anvil: server.anvil, jobs: null });
    const jobs = await enqueueOnThree(t, actor, 'dr.protect', plan.protect, options);
    await updateProtection(t, server.name, { state: 'protecting', jobs, error: null });
    await audit(t, actor, { action: 'dr.protect', targetKind: 'server', targetId: server.name, details: { anvil: server.anvil, drHost: link.drHost, protocol: link.protocol, jobs }, requestId: options.requestId });
    return { protection: (await getProtection(t, server.name))!, jobs };
  });
}

export async function unprotectServer(db: Database, config: ServersConfig, actor: Actor, input: unknown, options: ActionOptions = {}): Promise<{ protection: DrProtection; jobs: DrHostJobs }> {
  const req = parse(drProtectRequestSchema, input, options.inputPath ?? '', 'DR unprotection');
  return db.tx(async (t) => {
    await lockDr(t);
    const server = await getServer(t, req.server);
    const protection = await getProtection(t, server.name);
    if (protection === undefined) throw new ConflictError(`server ${server.name} is not protected by a DR host`, { server: server.name });
    if (protection.state === 'protecting' || protection.state === 'unprotecting') throw new ConflictError(`server ${server.name} is ${protection.state}; wait until that ends`, { server: server.name });
    const link = await getDrLink(t, server.anvil);
    if (link === undefined) throw new ConflictError(`${server.anvil} has no DR link`, { server: server.name });
    // Planned against no other server: unprotecting frees the DR host's minor and ports, it takes none.
    const plan = planProtection(server, link, config, []);
    const jobs = await enqueueOnThree(t, actor, 'dr.unprotect', plan.unprotect, options);
    await updateProtection(t, server.name, { state: 'unprotecting', jobs, error: null });
    await audit(t, actor, { action: 'dr.unprotect', targetKind: 'server', targetId: server.name, details: { anvil: server.anvil, drHost: link.drHost, jobs }, requestId: options.requestId });
    return { protection: (await getProtection(t, server.name))!, jobs };
  });
}

/** The DR host's agent reports its `dr.link` done: the link is recorded linked. */
export async function recordLinked(db: Database, hostId: string, anvil: string): Promise<DrLink> {
  return db.tx(async (t) => {
    await lockDr(t);
    const link = await getDrLink(t, anvil);
    if (link === undefined) {
      // A manifest run linked it: stored with the defaults (async, always connected).
      const manifest = await manifestOfPair(t, anvil);
      const dr = manifest === undefined ? undefined : drHostOf(manifest);
      if (dr === undefined || dr.snAddress === undefined) throw new NotFoundError('pair with a DR host', anvil.slice(0, 80));
      if (dr.hostId !== hostId) throw new ConflictError(`host ${hostId} is not the DR host of ${anvil} (${dr.name})`, { anvil });
      await insertDrLink(t, { anvil, drHost: dr.name, drHostId: dr.hostId, drSnAddress: dr.snAddress, protocol: 'A', mode: 'always-on', schedule: null, state: 'linked' });
    } else {
      if (link.drHostId !== hostId) throw new ConflictError(`host ${hostId} is not the DR host of ${anvil} (${link.drHost})`, { anvil });
      await setLinkState(t, anvil, 'linked');
    }
    return (await getDrLink(t, anvil))!;
  });
}

/** The DR host's agent reports its `dr.protect` or `dr.unprotect` done (the subnodes' ran before it). */
export async function recordProtectionDone(db: Database, hostId: string, serverName: string, action: 'protect' | 'unprotect'): Promise<DrProtection | undefined> {
  return db.tx(async (t) => {
    await lockDr(t);
    const server = await getServer(t, serverName);
    const link = await getDrLink(t, server.anvil);
    if (link === undefined || link.drHostId !== hostId) throw new ConflictError(`host ${hostId} is not the DR host of ${server.anvil}`, { server: serverName });
    const protection = await getProtection(t, serverName);
    if (protection === undefined) throw new NotFoundError('DR protection', serverName);
    if (action === 'protect') {
      await updateProtection(t, serverName, { state: 'protected', protectedNow: true, error: null });
      return getProtection(t, serverName);
    }
    await deleteProtection(t, serverName);
    await setServerHosts(t, serverName, server.hosts.filter((h) => h.key !== 'dr'));
    return undefined;
  });
}

export interface DrPairStatus {
  link: DrLink;
  protections: DrProtection[];
}

export interface DrStatus {
  links: DrPairStatus[];
  /** Pairs whose manifest has a DR host that is not linked. */
  unlinked: { anvil: string; drHost: string }[];
}

const why = (j: Job) => j.lastError ?? renderMessage(j.message, j.messageVars);

/** Links and protections; a change whose host job failed is recorded failed as it is read. */
export async function drStatus(db: Database, filter: { anvil?: string } = {}): Promise<DrStatus> {
  await settleFailures(db);
  const links = (await listDrLinks(db)).filter((l) => filter.anvil === undefined || l.anvil === filter.anvil);
  const protections = await listProtections(db, filter);
  const linked = new Set(links.map((l) => l.anvil));
  const unlinked: DrStatus['unlinked'] = [];
  for (const m of await listManifests(db)) {
    const anvil = pairNames(m.document.pair).anvil;
    const dr = drHostOf(m.document);
    if (dr !== undefined && !linked.has(anvil) && (filter.anvil === undefined || filter.anvil === anvil)) unlinked.push({ anvil, drHost: dr.name });
  }
  return { links: links.map((link) => ({ link, protections: protections.filter((p) => p.anvil === link.anvil) })), unlinked };
}

async function settleFailures(db: Database): Promise<void> {
  const links = (await listDrLinks(db)).filter((l) => l.state === 'linking' && l.linkJob !== null);
  const protections = (await listProtections(db)).filter((p) => (p.state === 'protecting' || p.state === 'unprotecting') && p.jobs !== null);
  const ids = [...links.map((l) => l.linkJob!), ...protections.flatMap((p) => [p.jobs!.node1, p.jobs!.node2, p.jobs!.dr])];
  if (ids.length === 0) return;
  const jobs = new Map((await jobsByIds(db, ids)).map((j) => [j.id, j]));
  const failed = (id: string) => {
    const j = jobs.get(id);
    return j !== undefined && (j.status === 'failed' || j.status === 'cancelled') ? j : undefined;
  };
  for (const l of links) {
    if (failed(l.linkJob!) !== undefined) await setLinkState(db, l.anvil, 'failed');
  }
  for (const p of protections) {
    const roles = (['node1', 'node2', 'dr'] as const).map((r) => [r, failed(p.jobs![r])] as const).filter(([, j]) => j !== undefined);
    if (roles.length === 0) continue;
    const error = `${p.state === 'protecting' ? 'protecting' : 'unprotecting'} failed: ${roles.map(([r, j]) => `${r}: ${why(j!)}`).join('; ')}`;
    await updateProtection(db, p.serverName, { state: 'failed', error });
  }
}

