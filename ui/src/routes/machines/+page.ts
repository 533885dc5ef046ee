import type { PageLoad } from './$types';
import type { MachineView, PxeStatusView } from '$lib/machines';

export const load: PageLoad = async ({ fetch, depends }) => {
  depends('app:machines');
  const headers = { accept: 'application/json' };
  const [res, pxe] = await Promise.all([fetch('/api/machines', { headers }), fetch('/api/pxe/status', { headers })]);
  return {
    machines: ((await res.json()) as { machines?: MachineView[] }).machines ?? [],
    pxe: pxe.ok ? ((await pxe.json()) as PxeStatusView) : null,
  };
};
