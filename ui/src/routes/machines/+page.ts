import type { PageLoad } from './$types';
import type { Machines } from '$lib/api-types';
import { loadApi } from '$lib/load';
import type { PxeStatusView } from '$lib/machines';

export const load: PageLoad = async (event) => {
  event.depends('app:machines');
  const [machines, pxe] = await Promise.all([
    loadApi<Machines>(event, '/api/machines', 'the machines'),
    loadApi<PxeStatusView>(event, '/api/pxe/status', 'the PXE services’ state'),
  ]);
  return { machines, pxe };
};
