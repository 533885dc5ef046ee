/**
 * The Jobs list's filter and page, kept in the page's URL (so reload, Back and a shared link show
 * the same list) and turned into the API's query.
 */
import type { JobStatus } from './api-types';

export const JOBS_PER_PAGE = 50;

export const jobStatusOrder: readonly JobStatus[] = ['running', 'queued', 'interrupted', 'failed', 'succeeded', 'cancelled'];

export interface JobFilterValues {
  status: JobStatus | '';
  kind: string;
  target: string;
  /** 1-based. */
  page: number;
}

export function jobListQuery(params: URLSearchParams): { values: JobFilterValues; api: string } {
  const rawStatus = params.get('status') ?? '';
  const status = (jobStatusOrder as readonly string[]).includes(rawStatus) ? (rawStatus as JobStatus) : '';
  const kind = (params.get('kind') ?? '').slice(0, 100);
  const target = (params.get('target') ?? '').trim().slice(0, 200);
  const page = Math.max(1, Math.floor(Number(params.get('page') ?? '1')) || 1);
  const api = new URLSearchParams({ limit: String(JOBS_PER_PAGE), offset: String((page - 1) * JOBS_PER_PAGE) });
  if (status) api.set('status', status);
  if (kind) api.set('kind', kind);
  if (target) api.set('target', target);
  return { values: { status, kind, target, page }, api: api.toString() };
}

/** The page URL for a filter (empty values left out). */
export function jobListHref(values: JobFilterValues): string {
  const q = new URLSearchParams();
  if (values.status) q.set('status', values.status);
  if (values.kind) q.set('kind', values.kind);
  if (values.target) q.set('target', values.target);
  if (values.page > 1) q.set('page', String(values.page));
  const s = q.toString();
  return s ? `/jobs?${s}` : '/jobs';
}
