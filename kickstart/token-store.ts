/**
 * Registration tokens in PostgreSQL, behind kickstart's `TokenStore` seam: one row per machine
 * holding the SHA-256 of its latest token. Issuing replaces the previous token; consuming is one
 * atomic UPDATE (`… AND used_at IS NULL AND expires_at > now RETURNING`), so two requests racing
 * with the same token cannot both win, and a used token stays recorded (used_at) but refused.
 */
import type { DbWriter } from '../striker/db/database.js';
import type { TokenStore } from './registration-token.js';
import { macOfHostId } from './host-id.js';

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
