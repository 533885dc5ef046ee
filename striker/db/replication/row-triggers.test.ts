/**
 * Migration 0038: on a replicated table, history, the live-channel announcement and (on jobs) the
 * job feed are one AFTER row trigger, `<table>_history`, ENABLE ALWAYS. Each behaviour of the
 * triggers folded into it is kept: history rows (quiet columns make none), live payloads and keys,
 * the job feed's payload, and which changes announce.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../test/support/test-database.js';
import { ensurePublication } from './replication.js';

let t: TestDatabase;
let listener: pg.Client;
const heard: { channel: string; payload: string }[] = [];

beforeAll(async () => {
  t = await createTestDatabase();
  await ensurePublication(t.db);
  listener = new pg.Client({ connectionString: t.url });
  await listener.connect();
  listener.on('notification', (m) => heard.push({ channel: m.channel, payload: m.payload! }));
  await listener.query('LISTEN striker_live');
  await listener.query('LISTEN striker_jobs');
});
afterAll(async () => {
  await listener?.end();
  await t?.drop();
});

/** What was announced while `write` ran, once a marker sent after it has arrived (NOTIFYs keep their order). */
async function announcedBy(write: () => Promise<unknown>): Promise<{ channel: string; payload: unknown }[]> {
  heard.length = 0;
  await write();
  const marker = `marker-${Math.random()}`;
  await t.db.query("SELECT pg_notify('striker_live', $1)", [marker]);
  const deadline = Date.now() + 5000;
  while (!heard.some((h) => h.payload === marker)) {
    if (Date.now() > deadline) throw new Error(`the marker did not arrive; heard ${JSON.stringify(heard)}`);
    await new Promise((r) => setTimeout(r, 10));
  }
  return heard.filter((h) => h.payload !== marker).map((h) => ({ channel: h.channel, payload: JSON.parse(h.payload) as unknown }));
}

async function historyOps(table: string, id: string): Promise<string[]> {
  const { rows } = await t.db.query<{ history_op: string }>(`SELECT history_op FROM history.${table} WHERE id = $1 ORDER BY history_id`, [id]);
  return rows.map((r) => r.history_op);
}

async function triggers(table: string): Promise<{ tgname: string; tgenabled: string }[]> {
  const { rows } = await t.db.query<{ tgname: string; tgenabled: string }>(
    "SELECT tgname, tgenabled FROM pg_trigger WHERE tgrelid = ('public.' || $1)::regclass AND NOT tgisinternal AND tgtype & 2 = 0 AND tgtype & 1 = 1 ORDER BY tgname", [table]);
  return rows;
}

describe('one AFTER row trigger per replicated table (migration 0038)', () => {
  it('folds the live trigger and the job feed into the history trigger, ENABLE ALWAYS, and a second start changes nothing', async () => {
    expect(await triggers('jobs')).toEqual([{ tgname: 'jobs_end_dependants', tgenabled: 'O' }, { tgname: 'jobs_history', tgenabled: 'A' }]);
    expect(await triggers('machines')).toEqual([{ tgname: 'machines_history', tgenabled: 'A' }]);
    const defs = async () => (await t.db.query<{ d: string }>("SELECT pg_get_triggerdef(oid) AS d FROM pg_trigger WHERE tgname IN ('jobs_history', 'machines_history') ORDER BY 1")).rows;
    const before = await defs();
    await ensurePublication(t.db);
    expect(await defs()).toEqual(before);
  });

  it('announces and records a job as the separate triggers did: created, progressed, ended, deleted; a heartbeat alone is silent', async () => {
    let id = '';
    const created = await announcedBy(async () => {
      id = (await t.db.query<{ id: string }>("INSERT INTO jobs (kind, payload) VALUES ('test.fold', '{}') RETURNING id")).rows[0]!.id;
    });
    expect(created).toEqual([
      { channel: 'striker_live', payload: { topic: 'jobs', key: id } },
      { channel: 'striker_jobs', payload: { id, status: 'queued', progress: 0 } },
    ]);
    expect(await announcedBy(() => t.db.query('UPDATE jobs SET heartbeat_at = clock_timestamp() WHERE id = $1', [id]))).toEqual([]);
    expect(await announcedBy(() => t.db.query('UPDATE jobs SET progress = 40 WHERE id = $1', [id]))).toEqual([
      { channel: 'striker_jobs', payload: { id, status: 'queued', progress: 40 } },
    ]);
    expect(await announcedBy(() => t.db.query("UPDATE jobs SET status = 'cancelled' WHERE id = $1", [id]))).toEqual([
      { channel: 'striker_live', payload: { topic: 'jobs', key: id } },
      { channel: 'striker_jobs', payload: { id, status: 'cancelled', progress: 40 } },
    ]);
    expect(await announcedBy(() => t.db.query('DELETE FROM jobs WHERE id = $1', [id]))).toEqual([
      { channel: 'striker_live', payload: { topic: 'jobs', key: id } },
    ]);
    expect(await historyOps('jobs', id)).toEqual(['INSERT', 'UPDATE', 'UPDATE', 'DELETE']);
  });

  it('sends the live payload byte for byte as striker_notify_live does', async () => {
    const mac = '52:54:00:ab:00:01';
    await announcedBy(() => t.db.query('INSERT INTO machines (mac) VALUES ($1)', [mac]));
    const folded = heard.filter((h) => h.channel === 'striker_live' && !h.payload.startsWith('marker-')).map((h) => h.payload);
    heard.length = 0;
    await announcedBy(() => t.db.query("SELECT striker_notify_live('machines', $1)", [mac]));
    const direct = heard.filter((h) => h.channel === 'striker_live' && !h.payload.startsWith('marker-')).map((h) => h.payload);
    expect(folded).toEqual(direct);
    expect(direct).toHaveLength(1);
  });

  it('sends the job feed and the live payloads byte for byte as json_build_object wrote them, with no query run per NOTIFY (migration 0048)', async () => {
    const { rows: [fn] } = await t.db.query<{ src: string }>("SELECT prosrc AS src FROM pg_proc WHERE oid = 'public.striker_history_jobs()'::regprocedure");
    expect(fn!.src).toContain('pg_notify');
    expect(fn!.src).not.toMatch(/PERFORM|json_build_object/);
    let expected: { live: string; feed: string } | undefined;
    await announcedBy(async () => {
      [expected] = (await t.db.query<{ live: string; feed: string }>(
        "INSERT INTO jobs (kind, payload, status, progress, no_change) VALUES ('test.bytes', '{}', 'succeeded', 100, 'already so') "
        + "RETURNING json_build_object('topic', 'jobs'::text, 'key', id::text)::text AS live, json_build_object('id', id, 'status', status, 'progress', progress)::text AS feed")).rows;
    });
    // announcedBy parses the payloads; the raw text is in `heard`.
    expect(heard.filter((h) => h.channel === 'striker_live' && h.payload.startsWith('{')).map((h) => h.payload)).toEqual([expected!.live]);
    expect(heard.filter((h) => h.channel === 'striker_jobs').map((h) => h.payload)).toEqual([expected!.feed]);
  });

  it('announces every update of a table whose live trigger named no columns, and writes history only for columns that are not quiet', async () => {
    let m: { id: string } | undefined;
    await announcedBy(async () => { [m] = (await t.db.query<{ id: string }>("INSERT INTO machines (mac) VALUES ('52:54:00:ab:00:02') RETURNING id")).rows; });
    expect(await announcedBy(() => t.db.query('UPDATE machines SET last_seen_at = clock_timestamp() WHERE id = $1', [m!.id]))).toEqual([
      { channel: 'striker_live', payload: { topic: 'machines', key: '52:54:00:ab:00:02' } },
    ]);
    await t.db.query("UPDATE machines SET hostname = 'n2' WHERE id = $1", [m!.id]);
    await t.db.query('DELETE FROM machines WHERE id = $1', [m!.id]);
    expect(await historyOps('machines', m!.id)).toEqual(['INSERT', 'UPDATE', 'DELETE']);
  });

  it('announces an update of a table whose live trigger named columns only when one of them changed', async () => {
    let h: { id: string } | undefined;
    await announcedBy(async () => {
      [h] = (await t.db.query<{ id: string }>("INSERT INTO host_agents (host_id, version, instance_id, striker_url, started_at, last_heartbeat_at) VALUES ('52-54-00-ab-00-03', '1', 'i1', 'http://127.0.0.1', now(), now()) RETURNING id")).rows;
    });
    expect(await announcedBy(() => t.db.query('UPDATE host_agents SET last_heartbeat_at = clock_timestamp() WHERE id = $1', [h!.id]))).toEqual([]);
    expect(await announcedBy(() => t.db.query("UPDATE host_agents SET version = '2' WHERE id = $1", [h!.id]))).toEqual([
      { channel: 'striker_live', payload: { topic: 'hosts', key: '52-54-00-ab-00-03' } },
    ]);
    expect(await historyOps('host_agents', h!.id)).toEqual(['INSERT', 'UPDATE']);
  });

  it('folds in a live trigger a later migration adds, at the next start', async () => {
    await t.db.query("CREATE TRIGGER alert_recipients_live AFTER INSERT OR DELETE ON alert_recipients FOR EACH ROW EXECUTE FUNCTION public.striker_live_trigger('alerts', 'id')");
    await t.db.query('ALTER TABLE alert_recipients ENABLE ALWAYS TRIGGER alert_recipients_live');
    await ensurePublication(t.db);
    expect(await triggers('alert_recipients')).toEqual([{ tgname: 'alert_recipients_history', tgenabled: 'A' }]);
    let id = '';
    expect(await announcedBy(async () => {
      id = (await t.db.query<{ id: string }>("INSERT INTO alert_recipients (name, email, level) VALUES ('Fold', 'fold@example.com', 'info') RETURNING id")).rows[0]!.id;
    })).toEqual([{ channel: 'striker_live', payload: { topic: 'alerts', key: id } }]);
    // INSERT OR DELETE only: an update is not announced.
    expect(await announcedBy(() => t.db.query("UPDATE alert_recipients SET level = 'warning' WHERE id = $1", [id]))).toEqual([]);
    expect(await historyOps('alert_recipients', id)).toEqual(['INSERT', 'UPDATE']);
  });

  it('compares a column whose type has no equality operator by its text', async () => {
    await t.db.query('CREATE TABLE fold_json (id uuid PRIMARY KEY DEFAULT gen_random_uuid(), modified_at timestamptz NOT NULL DEFAULT clock_timestamp(), doc json, spot point)');
    await t.db.query("SELECT striker_track('fold_json')");
    const { rows: [r] } = await t.db.query<{ id: string }>(`INSERT INTO fold_json (doc, spot) VALUES ('{"a": 1}', '(1,2)') RETURNING id`);
    await t.db.query(`UPDATE fold_json SET doc = '{"a": 1}', spot = '(1,2)' WHERE id = $1`, [r!.id]);
    await t.db.query(`UPDATE fold_json SET spot = '(3,4)' WHERE id = $1`, [r!.id]);
    expect(await historyOps('fold_json', r!.id)).toEqual(['INSERT', 'UPDATE']);
  });
});
