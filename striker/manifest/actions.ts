/**
 * The manifest actions, each once for the API and the CLI: validate, create, replace, delete and
 * open the secrets. A change is validated with every problem at once (nothing is stored when there
 * is one), its secrets sealed with the site key, and written with its audit row in one
 * transaction. Problem paths are the document's own (`hosts.node1.addresses.bcn1`): the body of
 * a manifest request is the manifest.
 */
import { audit, type ActionOptions, type Actor } from '../audit/audit-store.js';
import { ConflictError, StrikerError, ValidationError } from '../core/errors/index.js';
import { columnContext } from '../core/secrets/index.js';
import type { Database, DbReader } from '../db/database.js';
import { listMachines } from '../machines/index.js';
import type { ManifestView } from './manifest-schema.js';
import { secretFields, splitSecrets } from './manifest-secrets.js';
import { deleteManifest, getManifest, insertManifest, listManifests, manifestSecretsTable, sealedSecrets, storeSealedSecrets, updateManifest, type ManifestRow } from './manifest-store.js';
import { anvilName } from './names.js';
import { validateManifest, validateStep, type FenceParameterCheck, type ManifestStep, type RegisteredMachine, type ValidationContext } from './validate-manifest.js';
import type { Problem } from '../core/errors/index.js';

/** Seals and opens secrets: the site keyring (striker/core/secrets/site-keys.ts). */
export interface SecretSealer {
  encrypt(plaintext: string, context: string): string;
  decrypt(envelope: string, context: string): string;
}

export interface ManifestDeps {
  db: Database;
  keys: SecretSealer;
  /** Fence agent parameters from the agents' metadata; none checked when absent. */
  fenceParameters?: FenceParameterCheck | undefined;
  /** The registered machines; the machines table when absent. */
  machines?: ((q: DbReader) => Promise<readonly RegisteredMachine[]>) | undefined;
}

const SECRETS_CONTEXT = columnContext(manifestSecretsTable.table, manifestSecretsTable.columns[0]!);

/** A validation answer: `{ ok, problems }`, as the API's validate endpoint returns it. */
export interface ManifestProblems {
  ok: boolean;
  problems: Problem[];
}

async function contextFor(q: DbReader, deps: ManifestDeps, self: string | undefined): Promise<ValidationContext> {
  const machines = deps.machines ? await deps.machines(q) : (await listMachines(q)).map((m) => ({ mac: m.mac, role: m.role }));
  const others = (await listManifests(q)).filter((m) => m.id !== self).map((m) => ({ id: m.id, name: m.name, document: m.document }));
  return { machines, others, ...(deps.fenceParameters ? { fenceParameters: deps.fenceParameters } : {}) };
}

/**
 * Validates a manifest without storing it: the whole document, or only one wizard step's paths.
 * `id` names the stored manifest being edited (it does not collide with itself, and its stored
 * secrets may be kept); without it the document is a new manifest, which has none to keep.
 */
export async function checkManifest(deps: ManifestDeps, input: unknown, options: { step?: ManifestStep | undefined; id?: string | undefined } = {}): Promise<ManifestProblems> {
  const context = await contextFor(deps.db, deps, options.id);
  context.storedSecrets = new Set();
  if (options.id !== undefined) {
    await getManifest(deps.db, options.id);
    context.storedSecrets = new Set(Object.keys(openStored(deps, await sealedSecrets(deps.db, options.id)).secrets));
  }
  const problems = options.step === undefined ? validateManifest(input, context).problems : validateStep(options.step, input, context);
  return { ok: problems.length === 0, problems };
}

/** Creates a manifest. */
export async function createManifest(deps: ManifestDeps, actor: Actor, input: unknown, options: ActionOptions = {}): Promise<ManifestRow> {
  return deps.db.tx(async (t) => {
    const context = { ...(await contextFor(t, deps, undefined)), storedSecrets: new Set<string>() };
    const { view, secrets } = prepare(input, context, {});
    const row = await insertManifest(t, { name: anvilName(view.pair.prefix, view.pair.sequence), sequence: view.pair.sequence, document: view });
    await storeSealedSecrets(t, row.id, deps.keys.encrypt(JSON.stringify(secrets), SECRETS_CONTEXT));
    await audit(t, actor, { action: 'manifest.create', targetKind: 'manifest', targetId: row.id, details: { name: row.name }, requestId: options.requestId });
    return row;
  });
}

/** Replaces a stored manifest; `{ set: true }` keeps a stored secret. */
export async function replaceManifest(deps: ManifestDeps, actor: Actor, id: string, input: unknown, options: ActionOptions = {}): Promise<ManifestRow> {
  return deps.db.tx(async (t) => {
    const current = await getManifest(t, id);
    const stored = openStored(deps, await sealedSecrets(t, id));
    if (stored.unreadable !== undefined && secretFields(input).some((f) => isKeep(f.value))) {
      throw new ConflictError(`the stored passwords of ${current.name} cannot be opened with this Striker's site keyring (${stored.unreadable}); type every password again to replace them`, { id });
    }
    const context = { ...(await contextFor(t, deps, id)), storedSecrets: new Set(Object.keys(stored.secrets)) };
    const { view, secrets } = prepare(input, context, stored.secrets);
    const row = await updateManifest(t, id, { name: anvilName(view.pair.prefix, view.pair.sequence), sequence: view.pair.sequence, document: view });
    await storeSealedSecrets(t, id, deps.keys.encrypt(JSON.stringify(secrets), SECRETS_CONTEXT));
    await audit(t, actor, { action: 'manifest.replace', targetKind: 'manifest', targetId: id, details: { name: row.name, previousName: current.name }, requestId: options.requestId });
    return row;
  });
}

/**
 * Creates the manifest, or replaces the stored one of the same pair (its Anvil! name): what
 * `striker manifest apply` and the YAML import do, so a site described in a file is rebuilt from it.
 */
export async function applyManifest(deps: ManifestDeps, actor: Actor, input: unknown, options: ActionOptions = {}): Promise<{ manifest: ManifestRow; created: boolean }> {
  const name = pairNameOf(input);
  const existing = name === undefined ? undefined : (await listManifests(deps.db)).find((m) => m.name === name);
  if (existing === undefined) return { manifest: await createManifest(deps, actor, input, options), created: true };
  return { manifest: await replaceManifest(deps, actor, existing.id, input, options), created: false };
}

/** Deletes a manifest and its secrets. */
export async function removeManifest(deps: ManifestDeps, actor: Actor, id: string, options: ActionOptions = {}): Promise<void> {
  await deps.db.tx(async (t) => {
    const current = await getManifest(t, id);
    await deleteManifest(t, id);
    await audit(t, actor, { action: 'manifest.delete', targetKind: 'manifest', targetId: id, details: { name: current.name }, requestId: options.requestId });
  });
}

/**
 * A stored manifest's secrets in clear, by slot (`clusterPassword`, `hosts.node1.ipmi`,
 * `fenceDevices.<name>`, `upses.<name>`): for the work that hands them to a device, never to a
 * client or a log. A keyring that cannot open them is a SECRET_UNREADABLE error naming why.
 */
export async function openManifestSecrets(deps: Pick<ManifestDeps, 'db' | 'keys'>, id: string): Promise<ReadonlyMap<string, string>> {
  await getManifest(deps.db, id);
  const envelope = await sealedSecrets(deps.db, id);
  if (envelope === undefined) return new Map();
  return new Map(Object.entries(parseSecrets(deps.keys.decrypt(envelope, SECRETS_CONTEXT))));
}

function prepare(input: unknown, context: ValidationContext, stored: Record<string, string>): { view: ManifestView; secrets: Record<string, string> } {
  const checked = validateManifest(input, context);
  if (!checked.ok) throw new ValidationError(checked.problems, 'manifest');
  const { view, intents } = splitSecrets(checked.manifest, (slot) => slot in stored);
  const secrets: Record<string, string> = {};
  for (const [slot, intent] of intents) {
    if (intent.kind === 'new') secrets[slot] = intent.plaintext;
    else if (intent.kind === 'keep' && stored[slot] !== undefined) secrets[slot] = stored[slot];
  }
  return { view, secrets };
}

/** The stored secrets opened, or why they cannot be (a keyring without their key). */
function openStored(deps: ManifestDeps, envelope: string | undefined): { secrets: Record<string, string>; unreadable?: string } {
  if (envelope === undefined) return { secrets: {} };
  try {
    return { secrets: parseSecrets(deps.keys.decrypt(envelope, SECRETS_CONTEXT)) };
  } catch (error) {
    if (error instanceof StrikerError && error.code === 'SECRET_UNREADABLE') return { secrets: {}, unreadable: error.message };
    throw error;
  }
}

function parseSecrets(text: string): Record<string, string> {
  const value = JSON.parse(text) as unknown;
  const out: Record<string, string> = {};
  if (typeof value === 'object' && value !== null) for (const [k, v] of Object.entries(value)) if (typeof v === 'string') out[k] = v;
  return out;
}

/** The Anvil! name a document's pair would have, when its prefix and sequence are well-formed. */
export function pairNameOf(input: unknown): string | undefined {
  const pair = (input as { pair?: { prefix?: unknown; sequence?: unknown } } | null)?.pair;
  if (typeof pair?.prefix !== 'string' || typeof pair.sequence !== 'number') return undefined;
  const prefix = pair.prefix.trim().toLowerCase();
  return /^[a-z]{1,5}$/.test(prefix) && Number.isInteger(pair.sequence) && pair.sequence >= 1 && pair.sequence <= 99 ? anvilName(prefix, pair.sequence) : undefined;
}

function isKeep(value: unknown): boolean {
  return typeof value === 'object' && value !== null && (value as { set?: unknown }).set === true;
}
