import type { PageLoad } from './$types';
import { loadApi } from '$lib/load';
import type { RunAnswer } from '$lib/manifest/manifest-types';

export const load: PageLoad = async (event) => {
  const { id, runId } = event.params;
  event.depends(`app:manifest-run:${runId}`);
  return { runId, run: await loadApi<RunAnswer>(event, `/api/manifests/${id}/runs/${encodeURIComponent(runId)}`, `run ${runId}`) };
};
