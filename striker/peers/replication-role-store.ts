/**
 * SQL for the database side of a peering that the replication core does not cover: the login role
 * a peer's subscription connects as (one per peer, REPLICATION, SELECT on the published tables for
 * the initial copy), and dropping the replication slot a removed peer's subscription left here.
 * Role names are checked against their pattern before they are put into SQL; passwords are
 * passed as literals through format(%L) on the server.
 */
import type { Database, DbWriter } from '../db/database.js';

const ROLE = /^striker_peer_[a-z][a-z0-9_]{0,23}$/;
const SLOT = /^striker_[a-z][a-z0-9_]{0,23}_from_[a-z][a-z0-9_]{0,23}$/;

function checkRole(role: string): void {
  if (!ROLE.test(role)) throw new Error(`not a peer role name: ${role.slice(0, 80)}`);
}

/** Creates (or resets the password of) the role a peer's subscription connects as. */
export async function ensurePeerRole(db: Database, role: string, password: string): Promise<void> {
  checkRole(role);
  await db.tx(async (t) => {
    await t.write(
      `DO $$ BEGIN
         IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '${role}') THEN
           CREATE ROLE ${role} LOGIN REPLICATION;
         END IF;
       END $$`,
    );
    await t.write(`SELECT set_config('striker.peer_password', $1, true)`, [password]);
    await t.write(`DO $$ BEGIN EXECUTE format('ALTER ROLE ${role} PASSWORD %L', current_setting('striker.peer_password')); END $$`);
    await t.write(`GRANT USAGE ON SCHEMA public TO ${role}`);
    await t.write(`GRANT SELECT ON ALL TABLES IN SCHEMA public TO ${role}`);
    await t.write(`ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT ON TABLES TO ${role}`);
  });
}

/** Drops a peer's role (its grants first). */
export async function dropPeerRole(db: Database, role: string): Promise<void> {
  checkRole(role);
  const { rows } = await db.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [role]);
  if (rows.length === 0) return;
  await db.tx(async (t) => {
    await t.write(`ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE SELECT ON TABLES FROM ${role}`);
    await t.write(`REVOKE ALL ON ALL TABLES IN SCHEMA public FROM ${role}`);
    await t.write(`REVOKE ALL ON SCHEMA public FROM ${role}`);
    await t.write(`DROP ROLE ${role}`);
  });
}

/** Ends the sessions a peer's role holds (its walsender), so its slot can be dropped. */
export async function endRoleSessions(q: DbWriter, role: string): Promise<void> {
  checkRole(role);
  await q.write('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = $1', [role]);
}

/** The role a peer's subscription connects as on this database. */
export function peerRoleName(peer: string): string {
  const role = `striker_peer_${peer}`;
  checkRole(role);
  return role;
}

/** Drops a slot a removed peer's subscription left on this database; false when there is none. */
export async function dropSlot(q: DbWriter, slot: string): Promise<boolean> {
  if (!SLOT.test(slot)) throw new Error(`not a peer slot name: ${slot.slice(0, 80)}`);
  const { rows } = await q.write<{ slot: string }>(
    `SELECT slot_name AS slot, pg_drop_replication_slot(slot_name)::text FROM pg_replication_slots WHERE slot_name = $1 AND NOT active`,
    [slot],
  );
  return rows.length > 0;
}
