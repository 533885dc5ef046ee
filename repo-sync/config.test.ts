import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';
import { repoConfigSchema, repoSyncConfigSchema } from './config.js';
import { sendfileThreadsOf } from './send-file-addon.js';

const key = '-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nmQ==\n-----END PGP PUBLIC KEY BLOCK-----\n';

describe('repoConfigSchema', () => {
  it('fills defaults', () => {
    expect(repoConfigSchema.parse({ name: 'alma-9-baseos', source: { kind: 'http', url: 'https://mirror.example/alma/9/BaseOS/x86_64/os/' } })).toEqual({
      name: 'alma-9-baseos', source: { kind: 'http', url: 'https://mirror.example/alma/9/BaseOS/x86_64/os/' },
      requireRepoSignature: false, requirePackageSignatures: false, retain: { mode: 'mirror' }, keepSnapshots: 2, republish: 'auto', parallelism: 8,
      schedule: { kind: 'manual' }, enabled: true,
    });
  });

  it('accepts a directory source, a keep policy, a cron schedule and a key', () => {
    const r = repoConfigSchema.parse({ name: 'local', source: { kind: 'directory', path: '/srv/repo' }, gpgKey: key, requirePackageSignatures: true, retain: { mode: 'keep', versions: 3 }, schedule: { kind: 'cron', expression: '0 3 * * *' } });
    expect(r.retain).toEqual({ mode: 'keep', versions: 3 });
  });

  it('lists every problem with its path', () => {
    const r = repoConfigSchema.safeParse({ name: 'Bad Name!', source: { kind: 'http', url: 'ftp://x/' }, requireRepoSignature: true, parallelism: 0, schedule: { kind: 'cron', expression: 'daily' }, extra: 1 });
    expect(r.success).toBe(false);
    const paths = r.error!.issues.map((i) => i.path.join('.')).sort();
    expect(paths).toEqual(expect.arrayContaining(['name', 'source.url', 'parallelism', 'schedule.expression', '']));
  });

  it('checks cron fields', () => {
    const r = repoConfigSchema.safeParse({ name: 'x', source: { kind: 'directory', path: '/r' }, schedule: { kind: 'cron', expression: '0 25 * * *' } });
    expect(r.error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`)).toEqual(["schedule.expression: cron expression '0 25 * * *' is not valid: CronPattern: Invalid value for hour: 25"]);
  });

  it('requires a key when signatures are required', () => {
    const r = repoConfigSchema.safeParse({ name: 'x', source: { kind: 'directory', path: '/r' }, requireRepoSignature: true });
    expect(r.error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`)).toEqual(['gpgKey: is required when requireRepoSignature or requirePackageSignatures is true']);
  });

  it('sendfileThreads is auto or a count from 0 to 16, and a wrong one is named', () => {
    expect(repoSyncConfigSchema.parse({ sendfileThreads: 0 }).sendfileThreads).toBe(0);
    const r = repoSyncConfigSchema.safeParse({ sendfileThreads: 17 });
    expect(r.error?.issues.map((i) => i.path.join('.'))).toEqual(['sendfileThreads']);
    expect(sendfileThreadsOf('auto')).toBe(Math.min(availableParallelism(), 16));
    expect(sendfileThreadsOf(3)).toBe(3);
  });

  it('the area schema defaults to no repos', () => {
    expect(repoSyncConfigSchema.parse({})).toEqual({ repos: [], uploadMaxBytes: 32 * 1024 ** 3, uploadChunkBytes: 8 * 1024 ** 2, sendfileThreads: 'auto' });
  });
});
