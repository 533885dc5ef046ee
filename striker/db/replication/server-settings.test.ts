import { describe, expect, it } from 'vitest';
import { judgeServerSettings, replicationServerFlags, settingsError } from './server-settings.js';

const good = {
  wal_level: 'logical',
  track_commit_timestamp: 'on',
  max_replication_slots: '10',
  max_wal_senders: '10',
  max_logical_replication_workers: '8',
  max_slot_wal_keep_size: '8192',
};

describe('server settings for replication', () => {
  it('accepts a server set up for logical replication', () => {
    expect(judgeServerSettings(good)).toEqual([]);
  });

  it('names every wrong setting with what it must be and what it is', () => {
    const problems = judgeServerSettings({ ...good, wal_level: 'replica', track_commit_timestamp: 'off', max_slot_wal_keep_size: '-1' });
    expect(problems.map((p) => [p.setting, p.got])).toEqual([
      ['wal_level', 'replica'],
      ['track_commit_timestamp', 'off'],
      ['max_slot_wal_keep_size', '-1'],
    ]);
    const error = settingsError(problems);
    expect(error.code).toBe('REPLICATION_NOT_READY');
    expect(error.message).toContain("wal_level must be logical — got 'replica'");
    expect(error.message).toContain('database.replication.enabled');
  });

  it('reports a setting the server did not report', () => {
    const { max_wal_senders: _, ...rest } = good;
    expect(judgeServerSettings(rest)).toEqual([{ setting: 'max_wal_senders', expected: 'at least 4', got: '(not reported)' }]);
  });

  it('starts the embedded server with the settings it checks', () => {
    const flags = replicationServerFlags({ maxSlotWalKeepSizeMb: 2048, walRetrieveRetryMs: 200 });
    const values = Object.fromEntries(flags.filter((_, i) => i % 2 === 1).map((kv) => kv.split('=') as [string, string]));
    expect(values).toMatchObject({ wal_level: 'logical', track_commit_timestamp: 'on', max_slot_wal_keep_size: '2048MB', wal_retrieve_retry_interval: '200ms' });
    expect(judgeServerSettings({ ...values, max_slot_wal_keep_size: '2048' })).toEqual([]);
  });
});
