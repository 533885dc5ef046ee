/**
 * A host's inventory as the agent reports it and Striker stores it: identity (DMI system UUID,
 * host name), CPU, memory, disks (from lsblk) and network interfaces (from /sys/class/net).
 * Every list and string is bounded, so a valid inventory is also a small one.
 */
import { z } from 'zod';

const name = z.string().min(1).max(255);
const text = z.string().max(255);

export const inventoryDiskSchema = z.strictObject({
  name,
  path: text,
  type: z.string().max(32),
  sizeBytes: z.number().int().min(0),
  model: text.nullable(),
  serial: text.nullable(),
  rotational: z.boolean().nullable(),
  removable: z.boolean().nullable(),
  /** Partitions, LVM volumes, RAID members below the disk, by name. */
  children: z.array(name).max(256),
});

export const inventoryNicSchema = z.strictObject({
  name,
  mac: z.string().regex(/^[0-9a-f]{2}(?::[0-9a-f]{2}){5,19}$/).nullable(),
  /** The kernel's operstate: up, down, dormant, lowerlayerdown, notpresent, testing, unknown. */
  operstate: z.string().max(32),
  speedMbps: z.number().int().min(0).nullable(),
  kind: z.enum(['physical', 'bond', 'bridge', 'virtual']),
  /** The bond or bridge this interface is enslaved to. */
  master: name.nullable(),
  /** For a bond or bridge: its member interfaces. */
  members: z.array(name).max(256),
});

export const inventorySchema = z.strictObject({
  systemUuid: z.string().max(64).nullable(),
  hostName: name,
  cpu: z.strictObject({ model: text, count: z.number().int().min(0).max(65_536) }),
  memoryBytes: z.number().int().min(0),
  disks: z.array(inventoryDiskSchema).max(512),
  nics: z.array(inventoryNicSchema).max(1024),
});

export type Inventory = z.output<typeof inventorySchema>;
export type InventoryDisk = z.output<typeof inventoryDiskSchema>;
export type InventoryNic = z.output<typeof inventoryNicSchema>;
