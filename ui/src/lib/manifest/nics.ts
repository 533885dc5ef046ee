/**
 * The NICs a host's link can be made of, from its agent's inventory: physical interfaces with a
 * MAC, shown with their link state and speed; and the links Anvil!-named interfaces suggest
 * (`bcn1_link1`, `bcn1_link2` → the BCN1 bond's two NICs).
 */
import type { HostDetail } from '../api-types.js';
import type { HostDraft } from './draft.js';

type Inventory = NonNullable<NonNullable<HostDetail['agent']>['inventory']>;
export type Nic = Inventory['nics'][number] & { mac: string };

export function linkNics(inventory: Inventory | null | undefined): Nic[] {
  return (inventory?.nics ?? []).filter((n): n is Nic => n.kind === 'physical' && n.mac !== null);
}

export function speedText(mbps: number | null): string {
  if (mbps === null || mbps === 0) return 'speed unknown';
  return mbps >= 1000 ? `${mbps / 1000} Gb/s` : `${mbps} Mb/s`;
}

/** `eno1 · 52:54:00:…:01 · up · 10 Gb/s` */
export function nicLabel(n: Nic): string {
  const state = n.operstate === 'up' ? 'link up' : n.operstate === 'down' ? 'no link' : n.operstate;
  return `${n.name} · ${n.mac} · ${state} · ${speedText(n.speedMbps)}`;
}

/** Fills each empty link from interfaces named `<network>_link1` / `_link2`, as Anvil! names them. */
export function suggestLinks(host: HostDraft, networks: string[], inventory: Inventory): void {
  const nics = linkNics(inventory);
  for (const key of networks) {
    const link = (host.links[key] ??= ['', '']);
    if (link[0] !== '' || link[1] !== '') continue;
    for (const which of [0, 1] as const) {
      const nic = nics.find((n) => n.name === `${key}_link${which + 1}`);
      if (nic) link[which] = nic.mac;
    }
  }
}
