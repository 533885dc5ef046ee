/**
 * Settings of the kickstart area, to be nested as `kickstart:` in the main config schema.
 * The URL-signing key is not here: it is a secret kept under the data directory
 * (`dataDir/keys/kickstart.key`, 32 random bytes; kickstart-area.ts) and passed to `kickstartRoutes`.
 */
import { z } from 'zod';

export const kickstartConfigSchema = z
  .strictObject({
    /** How long a signed kickstart / events URL stays valid. */
    urlTtlSeconds: z.number().int().min(60).max(7 * 86400).default(6 * 3600),
    /** How long a registration token issued with a kickstart stays valid. */
    tokenTtlSeconds: z.number().int().min(60).max(7 * 86400).default(24 * 3600),
    /** Refuse to serve a kickstart whose last pre-boot check did not pass. */
    requireReadyCheck: z.boolean().default(true),
    /** dnf when present, else the built-in resolver; or force one. */
    checkEngine: z.enum(['auto', 'dnf', 'resolver']).default('auto'),
    checkTimeoutSeconds: z.number().int().min(10).max(3600).default(600),
    /**
     * Whether sshd on installed hosts accepts root's password. Off by default: root logs in with
     * the Striker's SSH key (and its password on the console).
     */
    rootPasswordLogin: z.boolean().default(false),
    /**
     * The other Strikers' base URLs as hosts on the BCN reach them. Each host's agent gets this
     * Striker's URL first and these after it, and fails over along that list.
     */
    otherStrikerUrls: z.array(z.url({ protocol: /^https?$/ })).max(15).default([]),
    /**
     * An installing machine that has not registered this many minutes after it fetched its
     * kickstart becomes `failed` ("no report from the installer in N minutes").
     */
    installTimeoutMinutes: z.number().int().min(10).max(7 * 24 * 60).default(120),
  })
  .prefault({});

export type KickstartConfig = z.output<typeof kickstartConfigSchema>;
