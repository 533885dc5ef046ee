/**
 * A node pair's page: the pair as its nodes last reported it, and each node's health score over
 * the last day (ScanCore's series, plotted as the host page plots it).
 */
import type { PageLoad } from './$types';
import type { ScancoreSeries } from '$lib/api-types';
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
    nodes.map(async (n) => ({
      node: n.name,
      hostId: n.hostId!,
      series: await loadApi<ScancoreSeries>(event, `/api/scancore/hosts/${encodeURIComponent(n.hostId!)}/series?metric=health&from=${encodeURIComponent(from)}&points=500`, `the health score of ${n.name}`),
    })),
  );
  return { name, anvil, health };
};
