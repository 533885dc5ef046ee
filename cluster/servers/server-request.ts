/**
 * What a person asks for: a new server (POST /api/servers, `striker servers create`) and an
 * action on one (POST /api/servers/:name/actions, `striker servers migrate|start|stop`).
 */
import { z } from 'zod';
import { domainNetworkSchema, osVariantSchema } from './domain-xml.js';
import { absolutePathSchema, hostNameSchema, serverNameSchema } from './server-names.js';

/**
 * An ISO a server boots from: the name or id of an uploaded ISO (a `files` row, synced to the
 * nodes and waited for before provisioning starts), or an absolute path the nodes have already.
 */
export const isoRefSchema = z.string('must be the name or id of an uploaded ISO, or an absolute path on the nodes').max(4096).superRefine((v, ctx) => {
  if (v.startsWith('/')) {
    const path = absolutePathSchema.safeParse(v);
    if (!path.success) ctx.addIssue({ code: 'custom', message: path.error.issues[0]?.message ?? 'must be an absolute path' });
  } else if (!/^[A-Za-z0-9][A-Za-z0-9._+-]{0,127}$/.test(v) || v.includes('..')) {
    ctx.addIssue({ code: 'custom', message: 'must be the name or id of an uploaded ISO (see GET /api/files), or an absolute path on the nodes' });
  }
});

/** True when an ISO reference names a file (not a path). */
export const namesFile = (ref: string) => !ref.startsWith('/');

export const createServerSchema = z.strictObject({
  name: serverNameSchema,
  /** The pair's name (its install manifest's), like an-anvil-01. */
  anvil: z.string().regex(/^[a-z]{1,5}-anvil-[0-9]{2}$/, 'must be a pair name like an-anvil-01'),
  vcpus: z.int('must be a whole number of vCPUs').min(1, 'must be at least 1').max(256, 'must be at most 256'),
  memoryMiB: z.int('must be a whole number of MiB').min(64, 'must be at least 64 MiB').max(4 * 1024 * 1024, 'must be at most 4 TiB'),
  diskGiB: z.int('must be a whole number of GiB').min(1, 'must be at least 1 GiB').max(65_536, 'must be at most 64 TiB'),
  installIso: isoRefSchema.optional(),
  driverIso: isoRefSchema.optional(),
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
