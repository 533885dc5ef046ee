/**
 * A node pair's page: the pair as its nodes last reported it, each node's health score over the
 * last day (ScanCore's series, plotted as the host page plots it) and the DRBD resources each
 * node's newest scan read (ScanCore's view of the host; none yet is a 404, not an error).
 */
import type { PageLoad } from './$types';
import type { ScancoreHost, ScancoreSeries } from '$lib/api-types';
import { loadApi } from '$lib/load';
import type { AnvilView } from '$lib/anvils';

const HEALTH_RANGE_MS = 86_400_000;

export const load: PageLoad = async (event) => {
  event.depends('app:anvil');
  const name = event.params.name;
  const anvil = await loadApi<AnvilView>(event, `/api/anvils/${encodeURIComponent(name)}`, `pair ${name}`);
  const from = new Date(Date.now() - HEALTH_RANGE_MS).toISOString();
  const nodes = anvil.ok ? anvil.data.nodes.filter((n) => n.hostId !== undefined) : [];
  const health = await Promise.all(
    nodes.map(async (n) => {
      const at = `/api/scancore/hosts/${encodeURIComponent(n.hostId!)}`;
      const [series, scanned] = await Promise.all([
        loadApi<ScancoreSeries>(event, `${at}/series?metric=health&from=${encodeURIComponent(from)}&points=500`, `the health score of ${n.name}`),
        loadApi<ScancoreHost>(event, at, `ScanCore's view of ${n.name}`),
      ]);
      return { node: n.name, hostId: n.hostId!, series, scanned };
    }),
  );
  return { name, anvil, health };
};
