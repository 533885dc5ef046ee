import { describe, expect, it } from 'vitest';
import { conflictView } from './conflict-view.js';
import type { ConflictRecord } from './peer-replication.js';

const base: ConflictRecord = {
  id: '6f1c2d3e-0000-4000-8000-000000000000', tableName: 'users', rowId: '7be13a66-a366-4dcb-8b00-a36ea192371f', kind: 'update',
  kept: { username: 'ann', display_name: 'Ann B', password_hash: 'scrypt$abc', modified_at: 't2' },
  discarded: { username: 'ann', display_name: 'Ann A', password_hash: 'scrypt$xyz', modified_at: 't1' },
  keptOrigin: 'sb', discardedOrigin: 'sa', detectedOn: 'sa', detectedAt: new Date(0), resolvedAt: null, resolvedBy: null, resolution: null,
};

describe('conflict view', () => {
  it('hides credential-like and sealed columns, saying whether they differ', () => {
    const v = conflictView(base, new Set());
    expect(v.kept).toEqual({ username: 'ann', display_name: 'Ann B', password_hash: '(hidden), differs', modified_at: 't2' });
    expect(JSON.stringify(v)).not.toContain('scrypt');
    const same = conflictView({ ...base, discarded: { ...base.discarded, password_hash: 'scrypt$abc' } }, new Set());
    expect(same.discarded.password_hash).toBe('(hidden)');
  });

  it('hides registered encrypted columns of that table only', () => {
    const bmc: ConflictRecord = { ...base, tableName: 'bmcs', kept: { address: '10.0.0.1', login: 'sk1.k1.a.b.c' }, discarded: { address: '10.0.0.2', login: 'sk1.k1.d.e.f' } };
    expect(conflictView(bmc, new Set(['bmcs.login', 'other.address'])).kept).toEqual({ address: '10.0.0.1', login: '(hidden), differs' });
  });

  it('keeps a deleted version as null', () => {
    expect(conflictView({ ...base, kind: 'delete', kept: null }, new Set()).kept).toBeNull();
  });
});
