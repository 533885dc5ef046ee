/**
 * The picture of a pair, laid out from its manifest: the hosts in a row, the power and fence
 * devices above them with a wire to each host they switch or power, and one bus per network
 * below with a line per NIC (two for a bond) from each host. Pure: a manifest in, boxes, lines
 * and words out; PairDiagram.svelte draws them as SVG, and `describe` gives the same facts as text.
 */
import { networkKey } from '../../../../striker/manifest/manifest-schema.js';
import { pairNames } from '../../../../striker/manifest/names.js';
import type { HostSlot, ManifestShown, NetworkKind } from './manifest-types.js';

export interface Box { id: string; x: number; y: number; w: number; h: number; label: string; sub: string; kind: 'host' | 'bmc' | 'pdu' | 'fence' | 'ups' }
export interface Bus { key: string; kind: NetworkKind; y: number; x1: number; x2: number; label: string }
export interface Wire { x1: number; y1: number; x2: number; y2: number; kind: 'link' | 'fence' | 'power' | 'bmc'; network?: NetworkKind; label: string }
export interface DiagramLayout { width: number; height: number; boxes: Box[]; buses: Bus[]; wires: Wire[] }

const HOST_W = 170;
const HOST_H = 64;
const GAP = 60;
const DEVICE_W = 130;
const DEVICE_H = 44;
const BUS_GAP = 34;
const MARGIN = 20;

export function hostsOf(doc: ManifestShown): HostSlot[] {
  return (['node1', 'node2', 'dr'] as const).filter((s) => doc.hosts[s] !== undefined);
}

export function layoutPair(doc: ManifestShown): DiagramLayout {
  const slots = hostsOf(doc);
  const names = pairNames(doc.pair);
  const devices = [
    ...doc.fenceDevices.map((f) => ({ id: `fence:${f.name}`, label: f.name, sub: f.agent, kind: Object.values(doc.hosts).some((h) => h?.pduOutlets?.[f.name] !== undefined) ? ('pdu' as const) : ('fence' as const) })),
    ...doc.upses.map((u) => ({ id: `ups:${u.name}`, label: u.name, sub: `UPS · ${u.source.toUpperCase()}`, kind: 'ups' as const })),
  ];
  const hostsWidth = slots.length * HOST_W + (slots.length - 1) * GAP;
  const devicesWidth = devices.length * DEVICE_W + Math.max(0, devices.length - 1) * 20;
  const width = Math.max(hostsWidth, devicesWidth, 480) + 2 * MARGIN + 90;
  const boxes: Box[] = [];
  const wires: Wire[] = [];

  const deviceY = MARGIN;
  const deviceX0 = (width - devicesWidth) / 2;
  devices.forEach((d, i) => boxes.push({ ...d, x: deviceX0 + i * (DEVICE_W + 20), y: deviceY, w: DEVICE_W, h: DEVICE_H }));

  const hostY = devices.length > 0 ? deviceY + DEVICE_H + 70 : MARGIN + 30;
  const hostX0 = (width - hostsWidth) / 2;
  const hostBox = new Map<HostSlot, Box>();
  slots.forEach((slot, i) => {
    const host = doc.hosts[slot]!;
    const box: Box = { id: `host:${slot}`, x: hostX0 + i * (HOST_W + GAP), y: hostY, w: HOST_W, h: HOST_H, label: names.hosts[slot].short, sub: host.machine, kind: 'host' };
    hostBox.set(slot, box);
    boxes.push(box);
    if (host.ipmi) {
      const bmc: Box = { id: `bmc:${slot}`, x: box.x + HOST_W - 58, y: box.y - 22, w: 58, h: 20, label: 'IPMI', sub: host.ipmi.address, kind: 'bmc' };
      boxes.push(bmc);
    }
  });

  // Fence and power wires: from a device's bottom to the host's top.
  for (const d of boxes.filter((b) => b.kind === 'pdu' || b.kind === 'fence' || b.kind === 'ups')) {
    for (const slot of slots) {
      const h = hostBox.get(slot)!;
      const name = d.id.slice(d.id.indexOf(':') + 1);
      const host = doc.hosts[slot]!;
      const powered = d.kind === 'ups' && doc.upses.find((u) => u.name === name)?.powers.includes(slot);
      const outlet = d.kind === 'pdu' ? host.pduOutlets?.[name] : undefined;
      if (!powered && outlet === undefined) continue;
      wires.push({
        x1: d.x + d.w / 2,
        y1: d.y + d.h,
        x2: h.x + 20 + (d.kind === 'ups' ? 30 : 0),
        y2: h.y,
        kind: d.kind === 'ups' ? 'power' : 'fence',
        label: d.kind === 'ups' ? `${name} powers ${names.hosts[slot].short}` : `${name} outlet ${outlet} switches ${names.hosts[slot].short}`,
      });
    }
  }

  // One bus per network under the hosts; a line per NIC from each host down to it.
  const busY0 = hostY + HOST_H + 40;
  const buses: Bus[] = doc.networks.map((n, i) => ({ key: networkKey(n), kind: n.kind, y: busY0 + i * BUS_GAP, x1: MARGIN + 70, x2: width - MARGIN, label: `${networkKey(n)} ${n.subnet}` }));
  slots.forEach((slot) => {
    const h = hostBox.get(slot)!;
    const host = doc.hosts[slot]!;
    const spread = (HOST_W - 40) / Math.max(1, buses.length * 2);
    buses.forEach((bus, b) => {
      const macs = host.links[bus.key]?.macs ?? [];
      macs.forEach((mac, m) => {
        const x = h.x + 20 + (b * 2 + m) * spread + spread / 2;
        wires.push({ x1: x, y1: h.y + HOST_H, x2: x, y2: bus.y, kind: 'link', network: bus.kind, label: `${names.hosts[slot].short} ${bus.key} ${macs.length > 1 ? `bond link ${m + 1}` : 'link'} ${mac}` });
      });
    });
  });

  const height = (buses.at(-1)?.y ?? hostY + HOST_H) + MARGIN + 10;
  return { width, height, boxes, buses, wires };
}

/** The diagram in sentences, for the text alternative beside it. */
export function describePair(doc: ManifestShown): string[] {
  const names = pairNames(doc.pair);
  const lines: string[] = [];
  const slots = hostsOf(doc);
  lines.push(`${names.anvil}: ${slots.map((s) => names.hosts[s].short).join(', ')}.`);
  for (const slot of slots) {
    const host = doc.hosts[slot]!;
    const links = doc.networks.map((n) => {
      const key = networkKey(n);
      const macs = host.links[key]?.macs ?? [];
      return `${key} at ${host.addresses[key] ?? 'no address'} over ${macs.length > 1 ? `a bond of ${macs.join(' and ')}` : (macs[0] ?? 'no NIC')}`;
    });
    lines.push(`${names.hosts[slot].short} (machine ${host.machine}): ${links.join('; ')}.`);
    const fencing = [host.ipmi ? `IPMI at ${host.ipmi.address}` : '', ...Object.entries(host.pduOutlets ?? {}).map(([pdu, plug]) => `${pdu} outlet ${plug}`)].filter(Boolean);
    lines.push(`${names.hosts[slot].short} is fenced by ${fencing.length > 0 ? fencing.join(', then ') : 'nothing'}.`);
  }
  for (const u of doc.upses) lines.push(`UPS ${u.name} (${u.source.toUpperCase()} at ${u.address}) powers ${u.powers.map((s) => names.hosts[s].short).join(', ')}.`);
  return lines;
}
