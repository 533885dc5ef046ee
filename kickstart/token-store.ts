/**
 * Registration tokens in PostgreSQL, behind kickstart's `TokenStore` seam: one row per machine
 * holding the SHA-256 of its latest token. Issuing replaces the previous token; consuming is one
 * atomic UPDATE (`… AND used_at IS NULL AND expires_at > now RETURNING`), so two requests racing
 * with the same token cannot both win, and a used token stays recorded (used_at) but refused.
 */
import type { DbWriter } from '../striker/db/database.js';
import type { TokenStore } from './registration-token.js';
import { macOfHostId } from './host-id.js';
import { WriteCoalescer } from './write-coalescer.js';

export class PgTokenStore implements TokenStore {
  constructor(private readonly q: DbWriter) {}

  async put(hostId: string, hash: string, expiresAt: Date): Promise<void> {
    const mac = macOfHostId(hostId);
    if (mac === undefined) throw new TypeError(`not a machine host id: ${hostId.slice(0, 80)}`);
    const { rowCount } = await this.q.write(
      `INSERT INTO kickstart_tokens (machine_id, token_hash, expires_at)
       SELECT id, $2, $3 FROM machines WHERE mac = $1
       ON CONFLICT (machine_id) DO UPDATE SET token_hash = EXCLUDED.token_hash, expires_at = EXCLUDED.expires_at,
         used_at = NULL, created_at = clock_timestamp()`,
      [mac, hash, expiresAt],
    );
    if (rowCount !== 1) throw new TypeError(`no machine ${mac} to issue a registration token for`);
  }

  async consume(hostId: string, hash: string, now: Date): Promise<boolean> {
    const mac = macOfHostId(hostId);
    if (mac === undefined || !/^[0-9a-f]{64}$/.test(hash)) return false;
    const { rowCount } = await this.q.write(
      `UPDATE kickstart_tokens t SET used_at = $3
         FROM machines m
        WHERE m.mac = $1 AND t.machine_id = m.id AND t.token_hash = $2 AND t.used_at IS NULL AND t.expires_at > $3`,
      [mac, hash, now],
    );
    return rowCount === 1;
  }
}

/** One served kickstart's token. */
export interface TokenIssue {
  hostId: string;
  hash: string;
  expiresAt: Date;
}

/**
 * Stores the tokens of served kickstarts, in one statement however many: each machine's row gets
 * the latest of its issues (the items' order), and an `assigned` machine becomes `installing` (a
 * host that fetched its kickstart is running the installer; an `installed` machine being reinstalled
 * keeps its state until it registers again). The install timeout counts from now
 * (`install_started_at`). Answers, per issue, whether its machine exists.
 */
export async function issueServedTokens(q: DbWriter, issues: readonly TokenIssue[]): Promise<boolean[]> {
  const macs = issues.map((i) => macOfHostId(i.hostId) ?? null);
  const { rows } = await q.write<{ known: boolean }>(
    `WITH req AS (
       SELECT * FROM unnest($1::text[], $2::text[], $3::timestamptz[]) WITH ORDINALITY AS r(mac, hash, expires_at, ord)
     ), latest AS (
       SELECT DISTINCT ON (m.id) m.id AS machine_id, req.hash, req.expires_at
         FROM req JOIN machines m ON m.mac = req.mac ORDER BY m.id, req.ord DESC
     ), issued AS (
       INSERT INTO kickstart_tokens (machine_id, token_hash, expires_at)
       SELECT machine_id, hash, expires_at FROM latest
       ON CONFLICT (machine_id) DO UPDATE SET token_hash = EXCLUDED.token_hash, expires_at = EXCLUDED.expires_at,
         used_at = NULL, created_at = clock_timestamp()
       RETURNING machine_id
     ), installing AS (
       UPDATE machines SET install_started_at = clock_timestamp(),
              state = CASE WHEN state = 'assigned' THEN 'installing' ELSE state END
        WHERE id IN (SELECT machine_id FROM issued)
     )
     SELECT (m.id IS NOT NULL) AS known FROM req LEFT JOIN machines m ON m.mac = req.mac ORDER BY req.ord`,
    [macs, issues.map((i) => i.hash), issues.map((i) => i.expiresAt)],
  );
  return rows.map((r) => r.known);
}

/**
 * The token store behind `/ks`: issuing a token is serving a kickstart, so `put` also moves an
 * assigned machine to `installing` (issueServedTokens), and the puts of concurrent requests are
 * written together (write-coalescer.ts). Consuming is PgTokenStore's.
 */
export class ServedKickstartTokens implements TokenStore {
  private readonly issues: WriteCoalescer<TokenIssue, boolean>;
  private readonly store: PgTokenStore;

  constructor(q: DbWriter) {
    this.issues = new WriteCoalescer((batch) => issueServedTokens(q, batch));
    this.store = new PgTokenStore(q);
  }

  get stats(): Readonly<{ items: number; batches: number; splitBatches: number }> {
    return this.issues.stats;
  }

  async put(hostId: string, hash: string, expiresAt: Date): Promise<void> {
    const mac = macOfHostId(hostId);
    if (mac === undefined) throw new TypeError(`not a machine host id: ${hostId.slice(0, 80)}`);
    if (!(await this.issues.submit({ hostId, hash, expiresAt }))) throw new TypeError(`no machine ${mac} to issue a registration token for`);
  }

  consume(hostId: string, hash: string, now: Date): Promise<boolean> {
    return this.store.consume(hostId, hash, now);
  }
}
