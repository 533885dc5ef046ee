/**
 * Decisions become jobs on a real database: the job graph per decision kind, the held cluster
 * action (node.withdraw) with its plain-words reason, and every job's reason naming the decision.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agentArea } from '../../striker/agent/index.js';
import { getJob } from '../../striker/jobs/job-store.js';
import type { JobCatalog } from '../../striker/jobs/job-kind.js';
import { createTestDatabase, quietLogger, type TestDatabase } from '../../test/support/test-database.js';
import { decisionJobs, ipmiBootJobKind, ipmiBootKind } from './actions.js';
import type { Decision } from './decide.js';
import type { ScancorePair } from './scancore-config.js';

let t: TestDatabase;
let catalog: JobCatalog;
const decisionId = '6f1c0c1e-8d4b-4a57-9d55-3b3c1f0c2a10';
const pair: ScancorePair = {
  id: 'an-anvil-01',
  nodes: [
    { name: 'an-a01n01', hostId: '52-54-00-00-ac-01', ipmi: { address: '127.0.0.1', port: 6261, username: 'admin', password: 'secret' } },
    { name: 'an-a01n02', hostId: '52-54-00-00-ac-02' },
  ],
  upses: [],
};

beforeAll(async () => {
  t = await createTestDatabase();
  const area = agentArea({ db: t.db, logger: quietLogger, inventoryMaxBytes: 8192 });
  for (const n of pair.nodes) await t.db.tx((tx) => area.onRegistered(tx, n.hostId, '10.201.10.1'));
  const kind = ipmiBootJobKind({ pairs: () => [pair], run: async () => { throw new Error('not run here'); }, timeoutMs: 1000 });
  catalog = new Map([[kind.kind, kind]]);
});
afterAll(async () => t.drop());

const jobsOf = async (d: Decision) => Promise.all((await t.db.tx((tx) => decisionJobs(tx, catalog, d, pair, decisionId))).map((id) => getJob(t.db, id)));
const reasons = ['an-a01n01 is sicker: Fan failed: FAN1 at 300 RPM'];

describe('ScanCore actions as jobs', () => {
  it('migrate-servers: one servers.migrate on the receiving node (run by its agent), its reason naming the decision', async () => {
    const [job, ...rest] = await jobsOf({ kind: 'migrate-servers', pair: pair.id, from: 'an-a01n01', to: 'an-a01n02', servers: ['vm1', 'vm2'], cause: 'health', reasons });
    expect(rest).toEqual([]);
    expect(job).toMatchObject({ kind: 'servers.migrate', targetHost: '52-54-00-00-ac-02', status: 'queued', heldReason: null });
    expect(job!.payload).toEqual({ servers: ['vm1', 'vm2'], to: 'an-a01n02', reason: `ScanCore decision ${decisionId}: ${reasons[0]}` });
  });

  it('withdraw-node: migrate → withdraw → power off, each waiting for the one before', async () => {
    const jobs = await jobsOf({ kind: 'withdraw-node', pair: pair.id, node: 'an-a01n01', to: 'an-a01n02', servers: ['vm1'], cause: 'thermal', reasons: ['hot'] });
    expect(jobs.map((j) => [j.kind, j.targetHost, j.heldReason !== null])).toEqual([
      ['servers.migrate', '52-54-00-00-ac-02', false], ['node.withdraw', '52-54-00-00-ac-01', false], ['host.poweroff', '52-54-00-00-ac-01', false],
    ]);
    expect(jobs[1]!.waitsFor).toEqual([jobs[0]!.id]);
    expect(jobs[2]!.waitsFor).toEqual([jobs[1]!.id]);
  });

  it('shutdown: servers stopped, then each node powered off', async () => {
    const jobs = await jobsOf({ kind: 'shutdown', pair: pair.id, nodes: ['an-a01n01', 'an-a01n02'], servers: ['vm1'], cause: 'power', reasons: ['hold-up below the floor'] });
    expect(jobs.map((j) => [j.kind, j.targetHost])).toEqual([['servers.stop', '52-54-00-00-ac-01'], ['host.poweroff', '52-54-00-00-ac-01'], ['host.poweroff', '52-54-00-00-ac-02']]);
    expect(jobs.slice(1).map((j) => j.waitsFor)).toEqual([[jobs[0]!.id], [jobs[0]!.id]]);
  });

  it('boot-nodes: a Striker job per node, not held, with no secret in its payload, then the stopped servers started on the first node', async () => {
    const jobs = await jobsOf({ kind: 'boot-nodes', pair: pair.id, nodes: ['an-a01n01', 'an-a01n02'], servers: ['vm1'], cause: 'power', reasons: ['mains back, UPS at 80 %'] });
    expect(jobs.map((j) => [j.kind, j.targetHost, j.heldReason])).toEqual([[ipmiBootKind, null, null], [ipmiBootKind, null, null], ['servers.start', '52-54-00-00-ac-01', null]]);
    expect(jobs[2]!.waitsFor).toEqual([jobs[0]!.id, jobs[1]!.id]);
    expect(jobs[2]!.payload).toEqual({ servers: ['vm1'], reason: `ScanCore decision ${decisionId}: mains back, UPS at 80 %` });
    expect(jobs[0]!.payload).toEqual({ pairId: pair.id, node: 'an-a01n01', decisionId, reason: `ScanCore decision ${decisionId}: mains back, UPS at 80 %` });
    expect(JSON.stringify(jobs[0]!.payload)).not.toContain('secret');
  });
});
