/**
 * Users in PostgreSQL: one function a statement. Validation, password hashing and the audit row
 * are the actions' (actions.ts).
 */
import type { DbReader, DbTx, DbWriter } from '../db/database.js';
import { NotFoundError } from '../core/errors/index.js';
import type { Role } from './roles.js';

export interface User {
  id: string;
  username: string;
  displayName: string;
  role: Role;
  disabled: boolean;
  createdAt: Date;
}

/** What logging in needs: the user and its password hash. */
export interface LoginRecord {
  id: string;
  username: string;
  role: Role;
  displayName: string;
  passwordHash: string;
  disabled: boolean;
}

const COLUMNS = `id, username, display_name AS "displayName", role, disabled, created_at AS "createdAt"`;
const SETUP_LOCK = 0x53455455; // 'SETU'
const ADMIN_LOCK = 0x41444d4e; // 'ADMN'

/** Inserts a user; undefined when the user name is taken. */
export async function insertUser(q: DbWriter, user: { username: string; displayName: string; passwordHash: string; role: Role }): Promise<User | undefined> {
  const { rows } = await q.write<User>(
    `INSERT INTO users (username, display_name, password_hash, role) VALUES ($1, $2, $3, $4)
     ON CONFLICT (username) DO NOTHING RETURNING ${COLUMNS}`,
    [user.username, user.displayName, user.passwordHash, user.role],
  );
  return rows[0];
}

export async function listUsers(q: DbReader): Promise<User[]> {
  const { rows } = await q.query<User>(`SELECT ${COLUMNS} FROM users ORDER BY username`);
  return rows;
}

export async function getUser(q: DbReader, id: string): Promise<User> {
  const { rows } = await q.query<User>(`SELECT ${COLUMNS} FROM users WHERE id = $1`, [id]);
  if (!rows[0]) throw new NotFoundError('user', id);
  return rows[0];
}

export async function findUserByName(q: DbReader, username: string): Promise<User | undefined> {
  const { rows } = await q.query<User>(`SELECT ${COLUMNS} FROM users WHERE username = $1`, [username]);
  return rows[0];
}

export async function loginRecord(q: DbReader, username: string): Promise<LoginRecord | undefined> {
  const { rows } = await q.query<LoginRecord>(
    `SELECT id, username, role, display_name AS "displayName", password_hash AS "passwordHash", disabled FROM users WHERE username = $1`,
    [username],
  );
  return rows[0];
}

export async function countUsers(q: DbReader): Promise<number> {
  const { rows } = await q.query<{ n: number }>('SELECT count(*)::int AS n FROM users');
  return rows[0]!.n;
}

export async function countAdmins(q: DbReader): Promise<number> {
  const { rows } = await q.query<{ n: number }>(`SELECT count(*)::int AS n FROM users WHERE role = 'admin' AND NOT disabled`);
  return rows[0]!.n;
}

/** Serialises first-run setup: held until the transaction ends. */
export async function lockFirstRun(t: DbTx): Promise<void> {
  await t.write('SELECT pg_advisory_xact_lock($1)', [SETUP_LOCK]);
}

/**
 * Serialises changes that could remove the last enabled admin: held until the transaction ends,
 * so the admin count read after a change sees every earlier committed change.
 */
export async function lockAdminChanges(t: DbTx): Promise<void> {
  await t.write('SELECT pg_advisory_xact_lock($1)', [ADMIN_LOCK]);
}

/** Changes a user (null keeps a field); undefined when there is no such user. */
export async function updateUser(
  t: DbTx,
  id: string,
  change: { role: Role | null; disabled: boolean | null; passwordHash: string | null; displayName: string | null },
): Promise<User | undefined> {
  const before = await t.write<{ id: string }>('SELECT id FROM users WHERE id = $1 FOR UPDATE', [id]);
  if (!before.rows[0]) return undefined;
  const { rows } = await t.write<User>(
    `UPDATE users SET role = COALESCE($2, role), disabled = COALESCE($3, disabled), password_hash = COALESCE($4, password_hash),
            display_name = COALESCE($5, display_name) WHERE id = $1 RETURNING ${COLUMNS}`,
    [id, change.role, change.disabled, change.passwordHash, change.displayName],
  );
  return rows[0];
}
