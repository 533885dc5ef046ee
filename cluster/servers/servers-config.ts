/**
 * How servers are provisioned on the subnodes (`servers:` in Striker's configuration): where the
 * backing volumes go, whether DRBD runs dry (hosts without the kernel module: labs), which
 * hypervisor the domains use, and how often the provisioning job looks at its host jobs.
 */
import { z } from 'zod';
import { parseOrThrow } from '../../striker/core/validation/zod-problems.js';
import type { ServerStorage } from './backing-volume.js';
import { absolutePathSchema } from './server-names.js';

export const serversConfigSchema = z.strictObject({
  /** An LVM volume group on both subnodes; when absent, volumes are sparse files in `volumeDirectory`. */
  volumeGroup: z.string().regex(/^[A-Za-z0-9_][A-Za-z0-9_.+-]{0,126}$/, 'must be an LVM volume group name like striker_vg0').optional(),
  volumeDirectory: absolutePathSchema.default('/var/lib/striker/volumes'),
  /** drbdadm runs with -d on the subnodes: prints what it would do; the domain then uses the volume directly. */
  drbdDryRun: z.boolean().default(false),
  hypervisor: z.enum(['kvm', 'qemu']).default('kvm'),
  machine: z.enum(['q35', 'pc']).default('q35'),
  /** A directory on the subnodes where each server's serial console output is kept (`<name>.console`). */
  consoleLogDirectory: absolutePathSchema.optional(),
  /** Test guests only: boot this kernel and initrd (paths on the subnodes) instead of the disk. */
  directBoot: z.strictObject({ kernel: absolutePathSchema, initrd: absolutePathSchema, cmdline: z.string().max(1000).default('') }).optional(),
  /** Seconds between looks at the host jobs while provisioning waits for them. */
  pollSeconds: z.number().min(0.05).max(60).default(2),
});

export type ServersConfig = z.output<typeof serversConfigSchema>;

export function parseServersConfig(input: unknown): ServersConfig {
  return parseOrThrow(serversConfigSchema, input ?? {}, 'servers configuration', 'servers');
}

export function storageOf(config: ServersConfig): ServerStorage {
  return config.volumeGroup !== undefined ? { kind: 'lvm', volumeGroup: config.volumeGroup } : { kind: 'file', directory: config.volumeDirectory };
}
