/**
 * Users: create, list, change role, disable, reset password. Every change is audited in its
 * own transaction. Input schemas live here so the API and the CLI validate the same way.
 */
import { z } from 'zod';
import type { Database, Queryable } from '../db/database.js';
import { ConflictError, NotFoundError } from '../core/errors/index.js';
import { audit, type Actor } from '../audit/audit-store.js';
import { hashPassword } from './password.js';
import { roles, type Role } from './roles.js';

export const usernameSchema = z
  .string()
  .regex(/^[a-z][a-z0-9._-]{0,62}$/, 'must start with a letter and hold only a-z, 0-9, dot, dash or underscore (at most 63)');
export const passwordSchema = z.string().min(10, 'must be at least 10 characters').max(1024, 'must be at most 1024 characters');

export const newUserSchema = z.strictObject({
  username: usernameSchema,
  displayName: z.string().max(200).default(''),
  password: passwordSchema,
  role: z.enum(roles),
});

export const userChangeSchema = z
  .strictObject({
    role: z.enum(roles).optional(),
    disabled: z.boolean().optional(),
    password: passwordSchema.optional(),
    displayName: z.string().max(200).optional(),
  })
  .refine((c) => Object.keys(c).length > 0, 'must change at least one of role, disabled, password, displayName');

export interface User {
  id: string;
  username: string;
  displayName: string;
  role: Role;
  disabled: boolean;
  createdAt: Date;
}

const COLUMNS = `id, username, display_name AS "displayName", role, disabled, created_at AS "createdAt"`;

export async function createUser(db: Database, actor: Actor, input: z.output<typeof newUserSchema>, requestId?: string): Promise<User> {
  const hash = await hashPassword(input.password);
  return db.tx(async (q) => {
    const { rows } = await q.query<User>(
      `INSERT INTO users (username, display_name, password_hash, role) VALUES ($1, $2, $3, $4)
       ON CONFLICT (username) DO NOTHING RETURNING ${COLUMNS}`,
      [input.username, input.displayName, hash, input.role],
    );
    const user = rows[0];
    if (!user) throw new ConflictError(`user ${input.username} already exists`, { username: input.username });
    await audit(q, actor, { action: 'user.create', targetKind: 'user', targetId: user.id, details: { username: user.username, role: user.role }, requestId });
    return user;
  });
}

export async function listUsers(q: Queryable): Promise<User[]> {
  const { rows } = await q.query<User>(`SELECT ${COLUMNS} FROM users ORDER BY username`);
  return rows;
}

export async function getUser(q: Queryable, id: string): Promise<User> {
  const { rows } = await q.query<User>(`SELECT ${COLUMNS} FROM users WHERE id = $1`, [id]);
  if (!rows[0]) throw new NotFoundError('user', id);
  return rows[0];
}

export async function countAdmins(q: Queryable): Promise<number> {
  const { rows } = await q.query<{ n: number }>(`SELECT count(*)::int AS n FROM users WHERE role = 'admin' AND NOT disabled`);
  return rows[0]!.n;
}

export async function changeUser(db: Database, actor: Actor, id: string, change: z.output<typeof userChangeSchema>, requestId?: string): Promise<User> {
  const hash = change.password === undefined ? null : await hashPassword(change.password);
  return db.tx(async (q) => {
    const before = await q.query<User>(`SELECT ${COLUMNS} FROM users WHERE id = $1 FOR UPDATE`, [id]);
    if (!before.rows[0]) throw new NotFoundError('user', id);
    const { rows } = await q.query<User>(
      `UPDATE users SET role = COALESCE($2, role), disabled = COALESCE($3, disabled), password_hash = COALESCE($4, password_hash),
              display_name = COALESCE($5, display_name) WHERE id = $1 RETURNING ${COLUMNS}`,
      [id, change.role ?? null, change.disabled ?? null, hash, change.displayName ?? null],
    );
    if ((await countAdmins(q)) === 0) throw new ConflictError('this change would leave Striker with no enabled admin', { id });
    if (change.disabled === true || hash !== null) await q.query('DELETE FROM sessions WHERE user_id = $1', [id]);
    const details: Record<string, unknown> = { ...change };
    if ('password' in details) details.password = 'reset';
    await audit(q, actor, { action: 'user.change', targetKind: 'user', targetId: id, details, requestId });
    return rows[0]!;
  });
}
