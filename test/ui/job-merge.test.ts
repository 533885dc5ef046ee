/**
 * The UI's one merge rule for views of a job arriving in any order (ui/src/lib/job-merge.ts):
 * progress never goes backwards and a finished job never returns to running. Pure, so no browser.
 */
import { describe, expect, it } from 'vitest';
import { isFinished, mergeJob, type JobState } from '../../ui/src/lib/job-merge.js';
import type { JobStatus } from '../../striker/jobs/job.js';

interface View extends JobState {
  id: string;
  text: string;
}

const view = (status: JobStatus, progress: number, text = `${status} ${progress}`): View => ({ id: 'j1', status, progress, text });

/** Folds views in arrival order, as the store does, and returns every state shown. */
function shown(...views: View[]): View[] {
  const out: View[] = [];
  let current: View | undefined;
  for (const v of views) {
    current = mergeJob(current, v);
    out.push(current);
  }
  return out;
}

describe('mergeJob', () => {
  it('takes the first view as it is', () => {
    expect(mergeJob(undefined, view('queued', 0))).toEqual(view('queued', 0));
  });

  it('never shows progress going backwards when snapshots arrive out of order', () => {
    const seen = shown(view('running', 0), view('running', 25), view('running', 50), view('running', 25), view('running', 0), view('running', 75));
    expect(seen.map((v) => v.progress)).toEqual([0, 25, 50, 50, 50, 75]);
  });

  it('takes a newer message at the same progress', () => {
    expect(mergeJob(view('running', 40, 'copying'), view('running', 40, 'verifying')).text).toBe('verifying');
  });

  it('keeps a finished job finished when an older running or queued snapshot arrives late', () => {
    for (const late of [view('running', 90), view('queued', 0), view('interrupted', 50), view('running', 100)]) {
      expect(mergeJob(view('succeeded', 100), late)).toEqual(view('succeeded', 100));
      expect(mergeJob(view('failed', 30), late).status).toBe('failed');
    }
  });

  it('lets the end win over a running view, without moving the bar back', () => {
    expect(mergeJob(view('running', 60), view('failed', 30))).toEqual({ ...view('failed', 30), progress: 60 });
    expect(mergeJob(view('running', 60), view('succeeded', 100))).toEqual(view('succeeded', 100));
    expect(mergeJob(view('queued', 0), view('cancelled', 0)).status).toBe('cancelled');
  });

  it('follows a retry back to queued at the same progress, but not an older queued snapshot', () => {
    expect(mergeJob(view('running', 20), view('queued', 20)).status).toBe('queued');
    expect(mergeJob(view('running', 20), view('queued', 0)).status).toBe('running');
  });

  it('shows the whole life of a job the same way whatever the arrival order', () => {
    const life = [view('queued', 0), view('running', 10), view('running', 55), view('succeeded', 100)];
    const orders = [life, [...life].reverse(), [life[2]!, life[0]!, life[3]!, life[1]!], [life[1]!, life[3]!, life[2]!, life[0]!]];
    for (const order of orders) {
      const seen = shown(...order);
      expect(seen.at(-1)).toEqual(view('succeeded', 100));
      for (let i = 1; i < seen.length; i++) {
        expect(seen[i]!.progress).toBeGreaterThanOrEqual(seen[i - 1]!.progress);
        if (isFinished(seen[i - 1]!.status)) expect(isFinished(seen[i]!.status)).toBe(true);
      }
    }
  });
});
