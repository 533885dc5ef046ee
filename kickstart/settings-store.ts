/**
 * What every host's kickstart shares, kept in one `kickstart_settings` row: the root password
 * (only its SHA-512 crypt hash), locale defaults, and which installation tree and repos hosts
 * install from. Changing them is an admin action (actions.ts).
 */
import type { DbReader, DbTx, DbWriter } from '../striker/db/database.js';

export interface KickstartSettings {
  rootPasswordHash: string | null;
  timezone: string;
  keyboard: string;
  language: string;
  /** null: the only imported tree. */
  treeName: string | null;
  /** null: every synced repo. */
  repoNames: string[] | null;
  /** SSH public keys root trusts on every installed host, beside the Striker's own. */
  rootSshKeys: string[];
  /** Extra kernel arguments for the installer (after the PXE configuration's `kernelArgs`). */
  kernelArgs: string[];
  modifiedAt: Date;
}

/** A change as the actions validated it (actions.ts `settingsChangeSchema`). */
export interface SettingsChange {
  rootPassword?: string | undefined;
  timezone?: string | undefined;
  keyboard?: string | undefined;
  language?: string | undefined;
  tree?: string | null | undefined;
  repos?: string[] | null | undefined;
  rootSshKeys?: string[] | undefined;
  kernelArgs?: string[] | undefined;
}

/** Settings as the API shows them: whether a root password is set, never the hash. */
export type PublicKickstartSettings = Omit<KickstartSettings, 'rootPasswordHash'> & { rootPasswordSet: boolean };

const COLUMNS = `root_password_hash AS "rootPasswordHash", timezone, keyboard, language, tree_name AS "treeName",
  repo_names AS "repoNames", root_ssh_keys AS "rootSshKeys", kernel_args AS "kernelArgs", modified_at AS "modifiedAt"`;

/** The settings; the migration inserts their row, and one missing (a database restored without it) is created. */
export async function loadKickstartSettings(q: DbReader & DbWriter): Promise<KickstartSettings> {
  const { rows } = await q.query<KickstartSettings>(`SELECT ${COLUMNS} FROM kickstart_settings`);
  const row = rows[0];
  if (row) return row;
  const inserted = await q.write<KickstartSettings>(`INSERT INTO kickstart_settings DEFAULT VALUES ON CONFLICT (singleton) DO NOTHING RETURNING ${COLUMNS}`);
  return inserted.rows[0] ?? (await q.query<KickstartSettings>(`SELECT ${COLUMNS} FROM kickstart_settings`)).rows[0]!;
}

export function publicSettings(s: KickstartSettings): PublicKickstartSettings {
  const { rootPasswordHash, ...rest } = s;
  return { ...rest, rootPasswordSet: rootPasswordHash !== null };
}

/** Applies a validated change (the root password already hashed); a field not in `change` is kept. */
export async function updateKickstartSettings(t: DbTx, change: Omit<SettingsChange, 'rootPassword'>, rootPasswordHash: string | undefined, userId: string | null): Promise<KickstartSettings> {
  await loadKickstartSettings(t);
  await t.write(
    `UPDATE kickstart_settings SET
       root_password_hash = COALESCE($1, root_password_hash),
       timezone = COALESCE($2, timezone), keyboard = COALESCE($3, keyboard), language = COALESCE($4, language),
       tree_name = CASE WHEN $5::boolean THEN $6 ELSE tree_name END,
       repo_names = CASE WHEN $7::boolean THEN $8::text[] ELSE repo_names END,
       root_ssh_keys = COALESCE($10::text[], root_ssh_keys), kernel_args = COALESCE($11::text[], kernel_args),
       modified_by = $9`,
    [rootPasswordHash ?? null, change.timezone ?? null, change.keyboard ?? null, change.language ?? null,
      'tree' in change, change.tree ?? null, 'repos' in change, change.repos ?? null, userId, change.rootSshKeys ?? null, change.kernelArgs ?? null],
  );
  return loadKickstartSettings(t);
}
