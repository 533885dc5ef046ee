/**
 * The auth actions, each once for the API and the CLI: validation, the change and its audit row
 * in one transaction. Creating users (and the first admin), changing them, and creating and
 * revoking API tokens. Passwords are held to the password policy and never quoted in a problem
 * (password-input.ts), and hashed through the caller's `PasswordHasher` (bounded in `serve`).
 */
import { z } from 'zod';
import type { ActionOptions, Actor } from '../audit/audit-store.js';
import { audit, systemActor } from '../audit/audit-store.js';
import { ConflictError, NotFoundError, StrikerError } from '../core/errors/index.js';
import { parseInput } from '../core/validation/zod-problems.js';
import { isUuid } from '../core/validation/uuid.js';
import type { Database, DbTx } from '../db/database.js';
import { insertApiToken, revokeApiToken as revokeTokenRow, revokeUserApiTokens, type ApiToken } from './api-token-store.js';
import { PasswordHasher } from './password-hasher.js';
import { parseWithPassword, textFields } from './password-input.js';
import { roles } from './roles.js';
import { hashSecret, newSecret } from './secret-token.js';
import { deleteUserSessions } from './session-store.js';
import { countAdmins, countUsers, getUser, insertUser, lockAdminChanges, lockFirstRun, updateUser, type User } from './user-store.js';

/** What the actions that take a password are told besides their input. */
export interface PasswordActionOptions extends ActionOptions {
  /** Hashes the password; unbounded when not given (the CLI). */
  hasher?: PasswordHasher;
}

/** What creating a token is told: the token making the request, when it is made with one. */
export interface TokenActionOptions extends ActionOptions {
  /** The expiry of the API token the request came with (null: it never expires); absent for a session or the CLI. */
  creatorExpiresAt?: Date | null;
}

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

export const firstAdminSchema = newUserSchema.omit({ role: true });

export const userChangeSchema = z
  .strictObject({
    role: z.enum(roles).optional(),
    disabled: z.boolean().optional(),
    password: passwordSchema.optional(),
    displayName: z.string().max(200).optional(),
  })
  .refine((c) => Object.keys(c).length > 0, 'must change at least one of role, disabled, password, displayName');

const DAYS = 'must be a whole number of days from 1 to 3650';
export const tokenSchema = z.strictObject({
  name: z.string().min(1, 'is required').max(100),
  days: z.number({ error: DAYS }).int(DAYS).min(1, DAYS).max(3650, DAYS).nullable().default(365),
});

async function addUser(db: Database, actor: Actor, input: z.output<typeof newUserSchema>, options: PasswordActionOptions, before?: (t: DbTx) => Promise<void>): Promise<User> {
  const passwordHash = await (options.hasher ?? PasswordHasher.unbounded()).hash(input.password);
  return db.tx(async (t) => {
    await before?.(t);
    const user = await insertUser(t, { username: input.username, displayName: input.displayName, passwordHash, role: input.role });
    if (!user) throw new ConflictError(`user ${input.username} already exists`, { username: input.username });
    await audit(t, actor, { action: 'user.create', targetKind: 'user', targetId: user.id, details: { username: user.username, role: user.role }, requestId: options.requestId });
    return user;
  });
}

export async function createUser(db: Database, actor: Actor, input: unknown, options: PasswordActionOptions = {}): Promise<User> {
  const parsed = parseWithPassword(newUserSchema, input, 'user', options.inputPath, { userInputs: textFields(input, 'username', 'displayName') });
  return addUser(db, actor, parsed, options);
}

/** First run only: the first admin, created by Striker itself. Refused once any user exists. */
export async function createFirstAdmin(db: Database, input: unknown, options: PasswordActionOptions = {}): Promise<User> {
  const parsed = parseWithPassword(firstAdminSchema, input, 'admin user', options.inputPath, { userInputs: textFields(input, 'username', 'displayName') });
  return addUser(db, systemActor, { ...parsed, role: 'admin' }, options, async (t) => {
    await lockFirstRun(t);
    if ((await countUsers(t)) > 0) throw new StrikerError('SETUP_DONE', 'Striker already has users; log in instead');
  });
}

/**
 * Changes a user; ends their sessions and revokes their API tokens when disabled or given a new
 * password; keeps one enabled admin: changes are serialized so two admins demoting or disabling
 * each other at once cannot both succeed.
 */
export async function changeUser(db: Database, actor: Actor, id: string, input: unknown, options: PasswordActionOptions = {}): Promise<User> {
  if (!isUuid(id)) throw new NotFoundError('user', id);
  const current = await getUser(db, id);
  const displayName = textFields(input, 'displayName')[0] ?? current.displayName;
  const change = parseWithPassword(userChangeSchema, input, 'user change', options.inputPath, { userInputs: [current.username, displayName] });
  const passwordHash = change.password === undefined ? null : await (options.hasher ?? PasswordHasher.unbounded()).hash(change.password);
  return db.tx(async (t) => {
    await lockAdminChanges(t);
    const user = await updateUser(t, id, { role: change.role ?? null, disabled: change.disabled ?? null, passwordHash, displayName: change.displayName ?? null });
    if (!user) throw new NotFoundError('user', id);
    if ((await countAdmins(t)) === 0) throw new ConflictError('this change would leave Striker with no enabled admin', { id });
    if (change.disabled === true || passwordHash !== null) {
      await deleteUserSessions(t, id);
      await revokeUserApiTokens(t, id);
    }
    const details: Record<string, unknown> = { ...change };
    if ('password' in details) details.password = 'reset';
    await audit(t, actor, { action: 'user.change', targetKind: 'user', targetId: id, details, requestId: options.requestId });
    return user;
  });
}

/**
 * A new API token for `userId`; the token itself is returned once and stored only hashed. A token
 * made with a token expires no later than it (a token has its owner's role, so it never has more
 * rights than the one that made it).
 */
export async function createApiToken(db: Database, actor: Actor, userId: string, input: unknown, options: TokenActionOptions = {}): Promise<{ token: string; info: ApiToken }> {
  const { name, days } = parseInput(tokenSchema, input, 'API token', options.inputPath);
  const token = newSecret('skt');
  return db.tx(async (t) => {
    const info = await insertApiToken(t, userId, name, hashSecret(token), days, options.creatorExpiresAt ?? null);
    await audit(t, actor, { action: 'token.create', targetKind: 'api_token', targetId: info.id, details: { name, userId }, requestId: options.requestId });
    return { token, info };
  });
}

/** Revokes a token: an admin any, anyone else only their own. */
export async function revokeApiToken(db: Database, actor: Actor, id: string, options: ActionOptions = {}): Promise<void> {
  if (!isUuid(id)) throw new NotFoundError('API token', id);
  await db.tx(async (t) => {
    if (!(await revokeTokenRow(t, id, actor.role === 'admin' ? null : actor.userId))) throw new NotFoundError('API token', id);
    await audit(t, actor, { action: 'token.revoke', targetKind: 'api_token', targetId: id, requestId: options.requestId });
  });
}
