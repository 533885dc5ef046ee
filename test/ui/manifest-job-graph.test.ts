/**
 * A manifest run's job graph as the run page draws it (ui/src/lib/manifest/job-graph.ts): jobs in
 * columns by what they wait for, the live feed's view merged by the one rule (progress never goes
 * backwards, a finished job stays finished), and each job's state in plain words.
 */
import { describe, expect, it } from 'vitest';
import type { LiveJob } from '../../ui/src/lib/api-types.js';
import { graphJob, jobState, layerJobs, runProgress, type GraphJob } from '../../ui/src/lib/manifest/job-graph.js';
import type { RunJob } from '../../ui/src/lib/manifest/manifest-types.js';

function runJob(jobId: string, kind: string, target: RunJob['target'], over: Partial<RunJob> = {}): RunJob {
  return {
    key: `${target}:${kind}`, target, hostId: target === 'striker' ? null : `52-54-00-00-00-0${target.at(-1)}`, kind, jobId, created: true,
    status: 'queued', progress: 0, text: 'Waiting to start', heldReason: null, waitsFor: [], lastError: null, ...over,
  };
}

const check = runJob('c', 'manifest.check', 'striker');
const net1 = runJob('n1', 'host.configure-network', 'node1');
const net2 = runJob('n2', 'host.configure-network', 'node2');
const join1 = runJob('j1', 'cluster.join', 'node1', { waitsFor: ['c', 'n1', 'n2'], heldReason: 'cluster formation is not available yet' });
const titles: Record<string, string> = { 'manifest.check': 'Check', 'host.configure-network': 'Configure the host’s networks', 'cluster.join': 'Join the node pair' };
const graph = (jobs: RunJob[]): GraphJob[] => jobs.map((j) => graphJob(j, undefined, titles[j.kind]!));

function live(id: string, over: Partial<LiveJob>): LiveJob {
  return { id, status: 'running', progress: 0, text: '', heldReason: null, lastError: null, ...over } as LiveJob;
}

describe('manifest run job graph', () => {
  it('puts a job one column after the deepest job it waits for', () => {
    const columns = layerJobs(graph([join1, check, net1, net2]));
    expect(columns.map((c) => c.map((n) => n.job.id))).toEqual([['c', 'n1', 'n2'], ['j1']]);
    expect(columns[1]![0]!.after.map((j) => j.id)).toEqual(['c', 'n1', 'n2']);
  });

  it('survives a job waiting for itself or for a job outside the run', () => {
    const odd = runJob('x', 'host.configure-network', 'dr', { waitsFor: ['x', 'elsewhere'] });
    expect(layerJobs(graph([odd])).map((c) => c.map((n) => n.job.id))).toEqual([['x']]);
  });

  it('takes the feed’s newer view and never its older one', () => {
    expect(graphJob(net1, live('n1', { status: 'running', progress: 40, text: 'Writing keyfiles' }), 't')).toMatchObject({ status: 'running', progress: 40, text: 'Writing keyfiles' });
    const done = runJob('n1', 'host.configure-network', 'node1', { status: 'succeeded', progress: 100, text: 'Done' });
    expect(graphJob(done, live('n1', { status: 'running', progress: 40 }), 't')).toMatchObject({ status: 'succeeded', progress: 100 });
  });

  it('says in plain words what each job waits for', () => {
    const jobs = graph([check, net1, net2, join1]);
    const [c, n1, , j1] = jobs;
    expect(jobState(j1!, [c!, n1!])).toBe('Held: cluster formation is not available yet');
    expect(jobState(n1!, [])).toBe('Queued: waiting for the agent on node1 (52-54-00-00-00-01) to take it');
    expect(jobState(c!, [])).toBe('Queued: waiting for the Striker’s job runner');
    const released = { ...j1!, heldReason: null };
    expect(jobState(released, [c!, { ...n1!, status: 'succeeded' }])).toBe('Waiting for Check to finish');
    expect(jobState({ ...n1!, status: 'failed', lastError: 'nmcli refused the bond' }, [])).toBe('Failed: nmcli refused the bond');
  });

  it('averages the jobs’ progress for the run', () => {
    expect(runProgress(graph([{ ...net1, progress: 40 }, net2, { ...check, status: 'succeeded', progress: 100 }]))).toBe(46);
    expect(runProgress([])).toBe(0);
  });
});
