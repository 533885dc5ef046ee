/**
 * The database behind kickstart's routes: which host a `/ks/<hostId>` request is for (its draft
 * and the state of its last check), the MAC the DHCP lease table gives a peer address, and what
 * registering a host changes.
 */
import type { Logger } from 'pino';
import type { DbReader, DbWriter } from '../striker/db/database.js';
import { NotFoundError } from '../striker/core/errors/index.js';
import { isIpv4 } from '../striker/core/net/ipv4.js';
import type { KickstartHost, KickstartHostLookup } from './ks-routes.js';
import { normalizeIp } from './access-decision.js';
import { loadCheck, statusOf } from './check-store.js';
import { macOfHostId } from './host-id.js';
import { loadHostDraft, type DraftPlace, type SharedFacts } from './host-drafts.js';

export class DbHostLookup implements KickstartHostLookup {
  /** `shared`: the facts common to all machines (loadSharedFacts, coalesced); read per request without it. */
  constructor(private readonly db: DbReader & DbWriter, private readonly place: DraftPlace, private readonly log: Logger, private readonly shared?: () => Promise<SharedFacts>) {}

  async find(hostId: string): Promise<KickstartHost | undefined> {
    const mac = macOfHostId(hostId);
    if (mac === undefined) return undefined;
    // The draft and the stored check are independent reads: made together.
    const stored = loadCheck(this.db, mac);
    stored.catch(() => undefined); // awaited below when the draft is served; not when it is not
    let draft;
    try {
      draft = await loadHostDraft(this.db, mac, this.place, this.shared);
    } catch (error) {
      if (error instanceof NotFoundError) return undefined;
      throw error;
    }
    if (!draft.ok) {
      // Known machine, but nothing to serve yet: treated as unknown (403), the reasons logged.
      this.log.warn({ mac, hostId, problems: draft.problems.map((p) => p.path) }, 'kickstart requested for a machine whose kickstart cannot be built yet');
      return undefined;
    }
    const status = statusOf(draft, await stored);
    const check: KickstartHost['check'] =
      status.status === 'ready' ? { status: 'ready' }
        : status.status === 'failed' ? { status: 'failed', problems: status.problems.map((p) => p.message) }
          : { status: 'unchecked' };
    return { hostId, reservedIp: draft.draft.host.bcn.ip, reservedIpConfirmed: draft.machine.reservedIpConfirmed, reservedMac: mac, input: draft.draft, check };
  }
}

/** The MAC holding a current DHCP lease for a peer address (`::ffff:` IPv4-mapped peers too). */
export async function leaseMacOf(db: DbReader, peerIp: string): Promise<string | undefined> {
  const ip = normalizeIp(peerIp);
  if (!isIpv4(ip)) return undefined;
  const { rows } = await db.query<{ mac: string }>(
    `SELECT mac FROM dhcp_leases WHERE ip = $1::inet AND state IN ('offered', 'bound') AND expires_at > clock_timestamp()`,
    [ip],
  );
  return rows[0]?.mac;
}

/**
 * A registered host has finished installing (%post runs last): its machine becomes `installed`,
 * whatever an earlier failure or the install timeout said.
 */
export async function markRegistered(db: DbWriter, hostId: string): Promise<Record<string, unknown>> {
  const mac = macOfHostId(hostId);
  await db.write(`UPDATE machines SET state = 'installed', install_error = NULL WHERE mac = $1`, [mac]);
  return { hostId, mac };
}

/**
 * The installer reported a failed install: the machine whose latest registration token has this
 * hash becomes `failed` with the reason. False (nothing changed) when the hash is not that
 * machine's latest token: a report from an earlier install, or a forged one.
 */
export async function markInstallFailed(db: DbWriter, hostId: string, tokenHash: string, reason: string): Promise<boolean> {
  const mac = macOfHostId(hostId);
  if (mac === undefined) return false;
  const { rowCount } = await db.write(
    `UPDATE machines m SET state = 'failed', install_error = $3
       FROM kickstart_tokens t
      WHERE m.mac = $1 AND t.machine_id = m.id AND t.token_hash = $2 AND m.role IS NOT NULL`,
    [mac, tokenHash, reason],
  );
  return rowCount === 1;
}

/**
 * Machines still `installing` more than `minutes` after they fetched their kickstart (the installer
 * never registered nor reported a failure) become `failed`; returns their MACs and the reason.
 */
export async function failStalledInstalls(db: DbWriter, minutes: number): Promise<{ macs: string[]; reason: string }> {
  const reason = `no report from the installer in ${minutes} minutes`;
  const { rows } = await db.write<{ mac: string }>(
    `UPDATE machines SET state = 'failed', install_error = $2
      WHERE state = 'installing' AND COALESCE(install_started_at, modified_at) < clock_timestamp() - make_interval(mins => $1)
      RETURNING mac`,
    [minutes, reason],
  );
  return { macs: rows.map((r) => r.mac).sort(), reason };
}
