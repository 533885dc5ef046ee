import type { PageLoad } from './$types';
import type { MachineView } from '$lib/machines';

export const load: PageLoad = async ({ fetch, depends }) => {
  depends('app:machines');
  const res = await fetch('/api/machines', { headers: { accept: 'application/json' } });
  return { machines: ((await res.json()) as { machines?: MachineView[] }).machines ?? [] };
};
