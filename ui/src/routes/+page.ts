/**
 * The dashboard: the setup checklist and the site at a glance, each panel read on its own so one
 * that cannot load shows its error while the others show their data.
 */
import type { PageLoad } from './$types';
import type { AlertHistory, Jobs, Machines, Peers, Repos, ServerList, SetupChecklist, Trees } from '$lib/api-types';
import type { AnvilSummary } from '$lib/anvils';
import { loadApi } from '$lib/load';
import type { PxeStatusView } from '$lib/machines';
import { ALERTS_READ, type GlanceReading } from '$lib/site-glance';

/** GET /api/scancore/hosts, as much of it as the dashboard shows. */
export interface ScannedHosts {
  hosts: { hostId: string; pair: string | null; node: string | null; score: number | null; readings: GlanceReading[] }[];
}

export const load: PageLoad = async (event) => {
  event.depends('app:dashboard');
  const [checklist, peers, machines, jobs, repos, trees, pxe, hosts, anvils, servers, alerts] = await Promise.all([
    loadApi<SetupChecklist>(event, '/api/setup/checklist', 'the setup checklist'),
    loadApi<Peers>(event, '/api/peers', 'the Strikers'),
    loadApi<Machines>(event, '/api/machines', 'the machines'),
    loadApi<Jobs>(event, '/api/jobs?status=running&limit=20', 'the running jobs'),
    loadApi<Repos>(event, '/api/repos', 'the repos'),
    loadApi<Trees>(event, '/api/trees', 'the installation trees'),
    loadApi<PxeStatusView>(event, '/api/pxe/status', 'the PXE services’ state'),
    loadApi<ScannedHosts>(event, '/api/scancore/hosts', 'the hosts’ health'),
    loadApi<{ anvils: AnvilSummary[] }>(event, '/api/anvils', 'the node pairs'),
    loadApi<ServerList>(event, '/api/servers', 'the servers'),
    loadApi<AlertHistory>(event, `/api/alerts?open=true&limit=${ALERTS_READ}`, 'the alerts'),
  ]);
  return { checklist, peers, machines, jobs, repos, trees, pxe, hosts, anvils, servers, alerts };
};
