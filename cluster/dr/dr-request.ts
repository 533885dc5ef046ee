/**
 * The DR requests (zod), shared by the API and the CLI: link a pair's DR host (protocol, mode and,
 * for boot-sync-shutdown, a croner schedule that is checked to fire), and protect or unprotect a
 * server.
 */
import { z } from 'zod';
import { checkCron } from '../../repo-sync/index.js';
import { serverNameSchema } from '../servers/index.js';
import { drModes, drProtocols } from './dr-record.js';

const anvil = z.string().min(1).max(253).regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'must be a pair name like an-anvil-01');

/** A five-field cron expression (UTC) that fires. */
export const drScheduleSchema = z.string().trim().min(1).max(200).superRefine((expression, ctx) => {
  try {
    checkCron(expression);
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: (error as Error).message });
  }
});

export const drLinkRequestSchema = z
  .strictObject({
    anvil,
    /** `A` ("async") or `C` ("sync") on every DR connection of the pair's servers. */
    protocol: z.enum(drProtocols, { error: 'must be A (async) or C (sync)' }),
    mode: z.enum(drModes, { error: 'must be always-on or boot-sync-shutdown' }).default('always-on'),
    schedule: drScheduleSchema.optional(),
  })
  .superRefine((r, ctx) => {
    if (r.mode === 'boot-sync-shutdown' && r.schedule === undefined) ctx.addIssue({ code: 'custom', path: ['schedule'], message: 'is required in boot-sync-shutdown mode (a cron expression like 0 2 * * *)' });
    if (r.mode === 'always-on' && r.schedule !== undefined) ctx.addIssue({ code: 'custom', path: ['schedule'], message: 'is only used in boot-sync-shutdown mode' });
  });

export type DrLinkRequest = z.output<typeof drLinkRequestSchema>;

export const drUnlinkRequestSchema = z.strictObject({ anvil });

export const drProtectRequestSchema = z.strictObject({ server: serverNameSchema });
