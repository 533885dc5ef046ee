import type { PageLoad } from './$types';
import { loadApi } from '$lib/load';
import type { RunAnswer } from '$lib/manifest/manifest-types';

export const load: PageLoad = async (event) => {
  const { id, runId } = event.params;
  event.depends(`app:manifest-run:${runId}`);
  const [run, kinds] = await Promise.all([
    loadApi<RunAnswer>(event, `/api/manifests/${id}/runs/${encodeURIComponent(runId)}`, `run ${runId}`),
    loadApi<{ kinds: { kind: string; title: string }[] }>(event, '/api/job-kinds', 'the job kinds'),
  ]);
  const titles: Record<string, string> = kinds.ok ? Object.fromEntries(kinds.data.kinds.map((k) => [k.kind, k.title])) : {};
  return { id, runId, run, titles };
};
