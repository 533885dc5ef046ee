import type { PageLoad } from './$types';
import type { HostDetail, KickstartStatusAnswer, MachineDetail } from '$lib/api-types';
import { loadApi } from '$lib/load';

export const load: PageLoad = async (event) => {
  const { mac } = event.params;
  event.depends(`app:machine:${mac}`);
  const at = `/api/machines/${encodeURIComponent(mac)}`;
  // A host's id is its MAC with dashes (kickstart/host-id.ts).
  const hostId = mac.toLowerCase().replaceAll(':', '-');
  const [machine, kickstart, host] = await Promise.all([
    loadApi<MachineDetail>(event, at, `machine ${mac}`),
    loadApi<KickstartStatusAnswer>(event, `${at}/kickstart/status`, `the kickstart status of ${mac}`),
    loadApi<HostDetail>(event, `/api/hosts/${encodeURIComponent(hostId)}`, `the agent of ${mac}`),
  ]);
  // With the kickstart area off this Striker has no such route (404): the page says so and still
  // shows the machine. Any other failure is shown as one.
  const kickstartOff = !kickstart.ok && kickstart.error.status === 404 && machine.ok;
  // 404: the host never registered (no credential, no agent report): the page says so, not as an error.
  const unregistered = !host.ok && host.error.status === 404;
  return { mac, machine, kickstart, kickstartOff, hostId, host, unregistered };
};
