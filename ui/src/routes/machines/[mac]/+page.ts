import type { PageLoad } from './$types';
import type { KickstartStatusAnswer, MachineDetail } from '$lib/api-types';
import { loadApi } from '$lib/load';

export const load: PageLoad = async (event) => {
  const { mac } = event.params;
  event.depends(`app:machine:${mac}`);
  const at = `/api/machines/${encodeURIComponent(mac)}`;
  const [machine, kickstart] = await Promise.all([
    loadApi<MachineDetail>(event, at, `machine ${mac}`),
    loadApi<KickstartStatusAnswer>(event, `${at}/kickstart/status`, `the kickstart status of ${mac}`),
  ]);
  // With the kickstart area off this Striker has no such route (404): the page says so and still
  // shows the machine. Any other failure is shown as one.
  const kickstartOff = !kickstart.ok && kickstart.error.status === 404 && machine.ok;
  return { mac, machine, kickstart, kickstartOff };
};
