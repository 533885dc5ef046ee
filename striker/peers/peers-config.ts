/** The `peers` configuration section. */
import { z } from 'zod';

export const peersConfigSchema = z.strictObject({
  /** This Striker's API base URL as its peers reach it; default: http.publicUrl, else the address it listens on. */
  address: z.url({ protocol: /^https?$/ }).optional(),
  /** The host name or address peers' databases use to reach this Striker's PostgreSQL; default: the host of its database URL. */
  databaseHost: z.string().min(1).max(253).optional(),
  /** How long a call to a peer Striker may take. */
  requestTimeoutSeconds: z.number().positive().max(300).default(20),
});

export type PeersConfig = z.output<typeof peersConfigSchema>;
