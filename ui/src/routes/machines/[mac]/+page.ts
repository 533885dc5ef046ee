import { error } from '@sveltejs/kit';
import type { PageLoad } from './$types';
import type { KickstartStatusView, MachineView, TimelineEntryView } from '$lib/machines';

export const load: PageLoad = async ({ fetch, params, depends }) => {
  depends(`app:machine:${params.mac}`);
  const headers = { accept: 'application/json' };
  const [res, ks] = await Promise.all([
    fetch(`/api/machines/${encodeURIComponent(params.mac)}`, { headers }),
    fetch(`/api/machines/${encodeURIComponent(params.mac)}/kickstart/status`, { headers }),
  ]);
  if (!res.ok) error(res.status, res.status === 404 ? 'No such machine' : 'Could not read the machine');
  const body = (await res.json()) as { machine: MachineView; timeline: TimelineEntryView[] };
  // The kickstart area may be off on this Striker: the page still shows the machine.
  const kickstart = ks.ok ? ((await ks.json()) as { status: KickstartStatusView }).status : null;
  return { ...body, kickstart };
};
