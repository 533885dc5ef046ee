/**
 * `striker manifest validate|apply|export|list`: a site described once in a YAML file, checked
 * with every problem at once, applied (created, or replacing the stored manifest of the same
 * pair) and exported back. The same actions as the API (striker/manifest/actions.ts).
 */
import { readFileSync, statSync } from 'node:fs';
import type { Command } from 'commander';
import { NotFoundError, StrikerError, ValidationError } from '../../core/errors/index.js';
import { siteKeys } from '../../core/secrets/index.js';
import { installedFenceAgents, type InstalledFenceAgents } from '../../manifest/fence-agents/index.js';
import { isUuid } from '../../core/validation/uuid.js';
import type { Database } from '../../db/database.js';
import {
  applyManifest,
  checkManifest,
  listManifests,
  MAX_MANIFEST_BYTES,
  pairNameOf,
  parseManifestYaml,
  stringifyManifestYaml,
  type ManifestDeps,
  type ManifestRow,
} from '../../manifest/index.js';
import { printResult, printRows } from './output.js';
import type { CliContext } from './cli-context.js';

export function addManifestCommands(program: Command, c: CliContext): void {
  const manifest = program.command('manifest').description('install manifests: one description of a node pair, its DR host, fencing and power');
  // The same fence parameter check as the API: the installed agents' metadata, read through the
  // cache `striker serve` keeps under the data directory (each agent is run once otherwise).
  let fenceAgents: InstalledFenceAgents | undefined;
  const deps = (db: Database): ManifestDeps => {
    const dataDir = c.config().dataDir;
    fenceAgents ??= installedFenceAgents(dataDir);
    return { db, keys: siteKeys(dataDir), fenceParameters: fenceAgents.check, fenceAgentsReady: fenceAgents.ready };
  };

  manifest
    .command('validate <file>')
    .description('check a manifest (YAML or JSON; - reads stdin) and list every problem; exits 65 when there is one')
    .action(async (file: string) => {
      const input = parseManifestYaml(await readManifestFile(c, file), file === '-' ? 'stdin' : file);
      const result = await c.withDb(async (db) => checkManifest(deps(db), input, { id: (await storedPairOf(db, input))?.id }));
      const p = c.printer();
      printResult(p, result, () => p.out(result.ok ? 'the manifest is valid' : `${result.problems.length} problem(s):`));
      if (!result.ok) throw new ValidationError(result.problems, file === '-' ? 'the manifest' : file);
    });

  manifest
    .command('apply <file>')
    .description('store a manifest (YAML or JSON; - reads stdin): create it, or replace the stored one of the same pair')
    .action(async (file: string) => {
      const input = parseManifestYaml(await readManifestFile(c, file), file === '-' ? 'stdin' : file);
      const { manifest: row, created } = await c.withDb((db) => applyManifest(deps(db), c.cliActor(), input));
      const p = c.printer();
      printResult(p, { id: row.id, name: row.name, created }, () => p.out(`${created ? 'created' : 'replaced'} ${row.name} (${row.id})`));
    });

  manifest
    .command('export <manifest>')
    .description('print a stored manifest (by name, like an-anvil-01, or id) as YAML; secrets read { set: true }')
    .action(async (ref: string) => {
      const row = await c.withDb(async (db) => findManifest(db, ref));
      const p = c.printer();
      if (p.json) p.out(JSON.stringify({ id: row.id, name: row.name, document: row.document }, null, 2));
      else c.io.stdout(stringifyManifestYaml(row.name, row.document));
    });

  manifest
    .command('list')
    .description('the stored manifests')
    .action(async () => {
      const rows = await c.withDb((db) => listManifests(db));
      printRows(
        c.printer(),
        rows.map((r) => ({ id: r.id, name: r.name, sequence: r.sequence, description: r.document.pair.description ?? null, modifiedAt: r.modifiedAt })),
        ['name', 'sequence', 'id', 'modifiedAt', 'description'],
      );
    });
}

async function readManifestFile(c: CliContext, file: string): Promise<string> {
  if (file === '-') return c.io.readStdin();
  let size: number;
  try {
    size = statSync(file).size;
  } catch (error) {
    throw new StrikerError('VALIDATION_FAILED', `cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, { details: { path: file } });
  }
  if (size > MAX_MANIFEST_BYTES) throw new ValidationError([{ path: '', message: `${file} is ${size} bytes; a manifest may be at most ${MAX_MANIFEST_BYTES} bytes (256 KiB)` }], file);
  return readFileSync(file, 'utf8');
}

/** The stored manifest of the document's pair (same Anvil! name), if any: validation then treats the file as an edit of it. */
async function storedPairOf(db: Database, input: unknown): Promise<ManifestRow | undefined> {
  const name = pairNameOf(input);
  return name === undefined ? undefined : (await listManifests(db)).find((r) => r.name === name);
}

async function findManifest(db: Database, ref: string): Promise<ManifestRow> {
  const rows = await listManifests(db);
  const row = rows.find((r) => r.name === ref || (isUuid(ref) && r.id === ref));
  if (row === undefined) throw new NotFoundError('manifest', ref.slice(0, 80));
  return row;
}
