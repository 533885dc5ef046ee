/**
 * A host's page: its agent and inventory (the agent area), ScanCore's view (score, reasons,
 * latest readings, its pair's decisions) and the plotted metrics over the chosen range.
 */
import type { PageLoad } from './$types';
import type { HostDetail, ScancoreHost, ScancoreSeries } from '$lib/api-types';
import { loadApi } from '$lib/load';
import { plotted, rangeOf } from './plotted';

export const load: PageLoad = async (event) => {
  const hostId = event.params.name;
  event.depends(`app:host:${hostId}`);
  const range = rangeOf(event.url.searchParams.get('range'));
  const at = `/api/scancore/hosts/${encodeURIComponent(hostId)}`;
  const from = new Date(Date.now() - range.ms).toISOString();
  const [agent, scancore, ...series] = await Promise.all([
    loadApi<HostDetail>(event, `/api/hosts/${encodeURIComponent(hostId)}`, `the agent of ${hostId}`),
    loadApi<ScancoreHost>(event, at, `ScanCore's view of ${hostId}`),
    ...plotted.map((p) => loadApi<ScancoreSeries>(event, `${at}/series?metric=${p.metric}&from=${encodeURIComponent(from)}&points=500`, `${p.title} of ${hostId}`)),
  ]);
  const unregistered = !agent.ok && agent.error.status === 404;
  return { hostId, range, agent, unregistered, scancore, series: plotted.map((p, i) => ({ ...p, data: series[i]! })) };
};
