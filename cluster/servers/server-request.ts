/**
 * What a person asks for: a new server (POST /api/servers, `striker servers create`) and an
 * action on one (POST /api/servers/:name/actions, `striker servers migrate|start|stop`).
 */
import { z } from 'zod';
import { domainNetworkSchema, osVariantSchema } from './domain-xml.js';
import { absolutePathSchema, hostNameSchema, serverNameSchema } from './server-names.js';

export const createServerSchema = z.strictObject({
  name: serverNameSchema,
  /** The pair's name (its install manifest's), like an-anvil-01. */
  anvil: z.string().regex(/^[a-z]{1,5}-anvil-[0-9]{2}$/, 'must be a pair name like an-anvil-01'),
  vcpus: z.int('must be a whole number of vCPUs').min(1, 'must be at least 1').max(256, 'must be at most 256'),
  memoryMiB: z.int('must be a whole number of MiB').min(64, 'must be at least 64 MiB').max(4 * 1024 * 1024, 'must be at most 4 TiB'),
  diskGiB: z.int('must be a whole number of GiB').min(1, 'must be at least 1 GiB').max(65_536, 'must be at most 64 TiB'),
  /** Paths on the subnodes. */
  installIso: absolutePathSchema.optional(),
  driverIso: absolutePathSchema.optional(),
  osVariant: osVariantSchema.default('generic'),
  networks: z.array(domainNetworkSchema).max(8, 'takes at most 8 networks').default([]),
  preferredNode: z.enum(['node1', 'node2'], { error: 'must be node1 or node2' }).default('node1'),
  liveMigration: z.boolean().default(true),
});

export type CreateServerInput = z.input<typeof createServerSchema>;
export type CreateServerRequest = z.output<typeof createServerSchema>;

export const serverActionSchema = z.discriminatedUnion('action', [
  /** To the peer of the node it runs on, or to the node named. */
  z.strictObject({ action: z.literal('migrate'), to: hostNameSchema.optional(), reason: z.string().max(200).optional() }),
  z.strictObject({ action: z.literal('start'), reason: z.string().max(200).optional() }),
  z.strictObject({ action: z.literal('stop'), reason: z.string().max(200).optional() }),
], { error: 'must be {"action": "migrate" | "start" | "stop"}' });

export type ServerActionRequest = z.output<typeof serverActionSchema>;
