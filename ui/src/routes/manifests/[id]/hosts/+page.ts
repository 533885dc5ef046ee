import type { PageLoad } from './$types';
import type { HostDetail, Machines } from '$lib/api-types';
import { loadApi } from '$lib/load';

/**
 * The machines a host of the pair can be (role node or dr) and, for each that registered, its
 * agent's inventory (the NICs a link is made of). A machine whose host never registered has no
 * inventory (404): the page offers it with no NICs and says why.
 */
export const load: PageLoad = async (event) => {
  event.depends('app:machines');
  const machines = await loadApi<Machines>(event, '/api/machines', 'the machines');
  const candidates = machines.ok ? machines.data.machines.filter((m) => m.role === 'node' || m.role === 'dr') : [];
  const details = await Promise.all(
    candidates.map(async (m) => [m.mac, await loadApi<HostDetail>(event, `/api/hosts/${encodeURIComponent(m.mac.replaceAll(':', '-'))}`, `the agent of ${m.mac}`)] as const),
  );
  const inventories = Object.fromEntries(details.map(([mac, d]) => [mac, d.ok ? (d.data.agent?.inventory ?? null) : null]));
  return { machines, candidates, inventories };
};
