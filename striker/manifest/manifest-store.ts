/**
 * Manifests in PostgreSQL (migration 0016): the document without secrets in clear (`manifests`,
 * with history) and the sealed secrets (`manifest_secrets`, one envelope per manifest). Sealing and
 * opening is the actions' work; this file moves rows.
 */
import { ConflictError, NotFoundError } from '../core/errors/index.js';
import type { EncryptedTable } from '../core/secrets/index.js';
import { isUuid } from '../core/validation/uuid.js';
import type { DbReader, DbWriter } from '../db/database.js';
import type { ManifestView } from './manifest-schema.js';

/** The sealed column, declared for key rotation (striker/app/peering.ts gathers the registry). */
export const manifestSecretsTable: EncryptedTable = { table: 'manifest_secrets', key: 'id', columns: ['secrets'], scope: 'replicated' };

export interface ManifestRow {
  id: string;
  name: string;
  sequence: number;
  document: ManifestView;
  createdAt: Date;
  modifiedAt: Date;
}

export interface ManifestWrite {
  name: string;
  sequence: number;
  document: ManifestView;
}

const COLUMNS = 'id, name, sequence, document, created_at AS "createdAt", modified_at AS "modifiedAt"';

export async function listManifests(q: DbReader): Promise<ManifestRow[]> {
  const { rows } = await q.query<ManifestRow>(`SELECT ${COLUMNS} FROM manifests ORDER BY sequence`);
  return rows;
}

/** One manifest; an id that is not a uuid names none. */
export async function getManifest(q: DbReader, id: string): Promise<ManifestRow> {
  if (!isUuid(id)) throw new NotFoundError('manifest', id.slice(0, 80));
  const { rows } = await q.query<ManifestRow>(`SELECT ${COLUMNS} FROM manifests WHERE id = $1`, [id]);
  if (!rows[0]) throw new NotFoundError('manifest', id);
  return rows[0];
}

export async function insertManifest(q: DbWriter, row: ManifestWrite): Promise<ManifestRow> {
  try {
    const { rows } = await q.write<ManifestRow>(`INSERT INTO manifests (name, sequence, document) VALUES ($1, $2, $3) RETURNING ${COLUMNS}`, [row.name, row.sequence, JSON.stringify(row.document)]);
    return rows[0]!;
  } catch (error) {
    throw uniqueConflict(error, row);
  }
}

export async function updateManifest(q: DbWriter, id: string, row: ManifestWrite): Promise<ManifestRow> {
  try {
    const { rows } = await q.write<ManifestRow>(`UPDATE manifests SET name = $2, sequence = $3, document = $4 WHERE id = $1 RETURNING ${COLUMNS}`, [id, row.name, row.sequence, JSON.stringify(row.document)]);
    if (!rows[0]) throw new NotFoundError('manifest', id);
    return rows[0];
  } catch (error) {
    throw uniqueConflict(error, row);
  }
}

/** Deletes a manifest and its secrets; false when there was none. */
export async function deleteManifest(q: DbWriter, id: string): Promise<boolean> {
  if (!isUuid(id)) return false;
  const { rowCount } = await q.write('DELETE FROM manifests WHERE id = $1', [id]);
  return rowCount === 1;
}

/** The envelope sealing a manifest's secrets, or undefined when none is stored. */
export async function sealedSecrets(q: DbReader, id: string): Promise<string | undefined> {
  const { rows } = await q.query<{ secrets: string }>('SELECT secrets FROM manifest_secrets WHERE id = $1', [id]);
  return rows[0]?.secrets;
}

export async function storeSealedSecrets(q: DbWriter, id: string, envelope: string): Promise<void> {
  await q.write('INSERT INTO manifest_secrets (id, secrets) VALUES ($1, $2) ON CONFLICT (id) DO UPDATE SET secrets = EXCLUDED.secrets', [id, envelope]);
}

function uniqueConflict(error: unknown, row: ManifestWrite): unknown {
  if ((error as { code?: string }).code !== '23505') return error;
  return new ConflictError(`a manifest for pair ${row.sequence} (${row.name}) already exists`, { name: row.name, sequence: row.sequence });
}
