/**
 * The PXE settings made in the UI, in the one `pxe_settings` row (migration 0020); none until an
 * admin saves them, and then they override the configuration file's `pxe:` section.
 */
import type { DbReader, DbWriter } from '../db/database.js';
import type { PxeSettings } from '../../pxe/index.js';

export interface StoredPxeSettings extends PxeSettings {
  modifiedAt: Date;
}

export async function loadPxeSettings(q: DbReader): Promise<StoredPxeSettings | undefined> {
  const { rows } = await q.query<StoredPxeSettings>(
    `SELECT enabled, interface, host(address) AS address, subnet::text AS subnet, mode,
            host(range_start) AS "rangeStart", host(range_end) AS "rangeEnd", modified_at AS "modifiedAt"
       FROM pxe_settings`,
  );
  return rows[0];
}

export async function savePxeSettings(q: DbWriter, s: PxeSettings, userId: string | null): Promise<void> {
  const full = s.mode === 'full';
  await q.write(
    `INSERT INTO pxe_settings (enabled, interface, address, subnet, mode, range_start, range_end, modified_by)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
     ON CONFLICT (singleton) DO UPDATE SET enabled = EXCLUDED.enabled, interface = EXCLUDED.interface, address = EXCLUDED.address,
       subnet = EXCLUDED.subnet, mode = EXCLUDED.mode, range_start = EXCLUDED.range_start, range_end = EXCLUDED.range_end,
       modified_by = EXCLUDED.modified_by, modified_at = clock_timestamp()`,
    [s.enabled, s.interface, s.address, s.subnet, s.mode, full ? (s.rangeStart ?? null) : null, full ? (s.rangeEnd ?? null) : null, userId],
  );
}
