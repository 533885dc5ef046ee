/**
 * Repo sync jobs say what happened: titled with the repo's name, a permanent error (a directory
 * that is not there, a directory that is not a repo) fails the first attempt with its message
 * once, and a missing directory is refused when the repo is added.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemActor } from '../striker/audit/audit-store.js';
import { ValidationError } from '../striker/core/errors/index.js';
import { catalogOf } from '../striker/jobs/job-kind.js';
import { JobRunner } from '../striker/jobs/job-runner.js';
import { getJob, jobMessages } from '../striker/jobs/job-store.js';
import { jobView } from '../striker/jobs/job-routes.js';
import type { Job } from '../striker/jobs/job.js';
import { createTestDatabase, quietLogger, type TestDatabase } from '../test/support/test-database.js';
import { addRepo, startRepoSync } from './actions.js';
import { repoJobKinds } from './repo-jobs.js';
import { getRepo } from './repo-store.js';

let t: TestDatabase;
let dir: string;
let runner: JobRunner;
const catalog = () => catalogOf(repoJobKinds({ db: t.db, dataDir: join(dir, 'data'), runner: async () => { throw new Error('no command is needed'); }, sign: false }));

beforeAll(async () => {
  t = await createTestDatabase();
  dir = mkdtempSync(join(tmpdir(), 'striker-repo-honest-'));
  runner = new JobRunner({ db: t.db, catalog: catalog(), logger: quietLogger, host: 'test', workers: 1, pollSeconds: 0.05, heartbeatSeconds: 1, staleAfterSeconds: 30 });
  await runner.start();
});
afterAll(async () => {
  await runner.stop(2000);
  await t.drop();
  rmSync(dir, { recursive: true, force: true });
});

async function syncToEnd(name: string): Promise<Job> {
  const job = await startRepoSync(t.db, catalog(), systemActor, name);
  for (let i = 0; i < 400; i++) {
    const j = await getJob(t.db, job.id);
    if (['succeeded', 'failed', 'cancelled'].includes(j.status)) return j;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`job ${job.id} did not finish`);
}

describe('repo.sync', () => {
  it('refuses a directory source that does not exist when the repo is added, naming the field', async () => {
    const error = await addRepo(t.db, systemActor, { name: 'typo', source: { kind: 'directory', path: join(dir, 'no-such-dir') } }, { inputPath: 'body' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).problems).toEqual([{ path: 'body.source.path', message: `directory ${join(dir, 'no-such-dir')} not found on this Striker` }]);
    const { rows } = await t.db.query('SELECT 1 FROM repos WHERE name = $1', ['typo']);
    expect(rows).toHaveLength(0);
  });

  it('fails at once, titled with the repo, when its directory is gone: "not found", said once', async () => {
    const source = join(dir, 'usb-stick');
    mkdirSync(source);
    await addRepo(t.db, systemActor, { name: 'usb-baseos', source: { kind: 'directory', path: source } });
    rmSync(source, { recursive: true });
    const job = await syncToEnd('usb-baseos');
    expect(jobView(job, { title: 'Sync a repo', subjectTitle: 'Sync {subject}' }).title).toBe('Sync usb-baseos');
    expect(job).toMatchObject({ status: 'failed', attempts: 1, subject: 'usb-baseos', lastError: `directory ${source} not found on this Striker` });
    const messages = (await jobMessages(t.db, job.id)).map((m) => JSON.stringify(m.vars));
    expect(messages.filter((m) => m.includes('not found'))).toHaveLength(1);
    expect((await getRepo(t.db, 'usb-baseos')).lastError).toBe(job.lastError);
  });

  it('does not retry a directory that is not a repo', async () => {
    const source = join(dir, 'plain');
    mkdirSync(source);
    await addRepo(t.db, systemActor, { name: 'plain', source: { kind: 'directory', path: source } });
    const job = await syncToEnd('plain');
    expect(job).toMatchObject({ status: 'failed', attempts: 1, lastError: `${source} is not a yum/dnf repository: it has no repodata/repomd.xml`, message: 'Failed' });
  });
});
