/**
 * The wizard's calls to the manifest API: validate one step (every problem of it at once), store
 * the manifest (create or replace), and start a run.
 */
import { api, ApiError } from '../api.js';
import type { ManifestAnswer, ManifestDoc, RunStarted, StoredManifest, ValidationAnswer } from './manifest-types.js';
import type { Step } from './steps.js';

/** The problems of one step; the whole manifest is sent so cross-step checks see everything. */
export async function validateStep(id: string, step: Exclude<Step, 'review'>, document: ManifestDoc): Promise<ValidationAnswer['problems']> {
  // A stored manifest is named, so its stored secrets may be kept ({ set: true }) and it does not collide with itself.
  const query = new URLSearchParams({ step, ...(id === 'new' ? {} : { id }) });
  try {
    const answer = await api<ValidationAnswer>('POST', `/api/manifests/validate?${query}`, document);
    return answer.ok ? [] : answer.problems;
  } catch (error) {
    if (error instanceof ApiError && error.problems.length > 0) return error.problems;
    throw error;
  }
}

/** Stores the manifest: a new one (`id` 'new') is created; answers the stored manifest. */
export async function saveManifest(id: string, document: ManifestDoc): Promise<StoredManifest> {
  const answer = id === 'new' ? await api<ManifestAnswer>('POST', '/api/manifests', document) : await api<ManifestAnswer>('PUT', `/api/manifests/${id}`, document);
  return answer.manifest;
}

export async function startRun(id: string): Promise<RunStarted> {
  return api<RunStarted>('POST', `/api/manifests/${id}/run`);
}
