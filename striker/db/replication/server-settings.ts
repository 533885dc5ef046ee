/**
 * The PostgreSQL server settings replication between Strikers needs. The embedded database is
 * started with them (`replicationServerFlags`); a system PostgreSQL is checked against them and
 * refused with the setting named.
 */
import { StrikerError } from '../../core/errors/index.js';

export interface ReplicationServerOptions {
  /** Most WAL a replication slot may hold for a peer that is away (max_slot_wal_keep_size), MiB. */
  maxSlotWalKeepSizeMb: number;
  /** How soon a stopped apply worker retries (wal_retrieve_retry_interval), ms. */
  walRetrieveRetryMs: number;
}

/** Values of the settings that matter, as `pg_settings` reports them (setting column). */
export type ServerSettings = Readonly<Record<string, string | undefined>>;

export interface SettingProblem {
  setting: string;
  expected: string;
  got: string;
}

/** Settings that must have these values. */
const REQUIRED: readonly { setting: string; ok: (v: string) => boolean; expected: string }[] = [
  { setting: 'wal_level', ok: (v) => v === 'logical', expected: 'logical' },
  { setting: 'track_commit_timestamp', ok: (v) => v === 'on', expected: 'on (conflicts are detected by commit origin and time)' },
  { setting: 'max_replication_slots', ok: (v) => Number(v) >= 4, expected: 'at least 4 (one per peer subscribing here, plus table sync)' },
  { setting: 'max_wal_senders', ok: (v) => Number(v) >= 4, expected: 'at least 4' },
  { setting: 'max_logical_replication_workers', ok: (v) => Number(v) >= 4, expected: 'at least 4 (one apply worker per peer, plus table sync)' },
  { setting: 'max_slot_wal_keep_size', ok: (v) => Number(v) >= 0, expected: 'a limit in MB (-1 lets a slot of a peer that is away fill the disk)' },
];

export const CHECKED_SETTINGS: readonly string[] = REQUIRED.map((r) => r.setting);

/** Every setting that is not as replication needs it. */
export function judgeServerSettings(settings: ServerSettings): SettingProblem[] {
  return REQUIRED.flatMap((r) => {
    const got = settings[r.setting];
    return got !== undefined && r.ok(got) ? [] : [{ setting: r.setting, expected: r.expected, got: got ?? '(not reported)' }];
  });
}

/** The error a Striker refuses to replicate with: every wrong setting named. */
export function settingsError(problems: readonly SettingProblem[]): StrikerError {
  const lines = problems.map((p) => `${p.setting} must be ${p.expected} — got '${p.got}'`);
  return new StrikerError(
    'REPLICATION_NOT_READY',
    `the PostgreSQL server is not set up for replication between Strikers: ${lines.join('; ')}. Set these in postgresql.conf and restart PostgreSQL, or set database.replication.enabled to false to run this Striker alone`,
    { details: { problems } },
  );
}

/** `postgres -c` flags for the embedded database. */
export function replicationServerFlags(options: ReplicationServerOptions): string[] {
  const settings: [string, string][] = [
    ['wal_level', 'logical'],
    ['track_commit_timestamp', 'on'],
    ['max_replication_slots', '16'],
    ['max_wal_senders', '16'],
    ['max_logical_replication_workers', '16'],
    ['max_worker_processes', '24'],
    ['max_slot_wal_keep_size', `${options.maxSlotWalKeepSizeMb}MB`],
    ['wal_retrieve_retry_interval', `${options.walRetrieveRetryMs}ms`],
  ];
  return settings.flatMap(([k, v]) => ['-c', `${k}=${v}`]);
}
