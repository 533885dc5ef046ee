/**
 * `striker.configure`: turns the stored identity into a plan (host name, NetworkManager keyfiles,
 * chrony sources), records each step in the job's messages and the plan in `striker_apply_plans`.
 * It changes the machine only when the configuration says Striker manages its host
 * (`host.manage`, off by default); otherwise each step's message says it was recorded, not
 * applied, and the job ends as a success that changed nothing ("recorded, not applied"), not as
 * "Finished". A step's message is written once the step is done, so while the job runs its latest
 * message states what has happened ("Wrote …", "Ran …", or "Planned, not applied (host management
 * is off): …", the words the agent's host jobs use).
 */
import { z } from 'zod';
import type { Database } from '../db/database.js';
import { ConflictError } from '../core/errors/index.js';
import { defineJobKind } from '../jobs/job-kind.js';
import type { HostApplier } from './host-applier.js';
import { loadIdentity, savePlan } from './identity-store.js';
import { planNetwork } from './network-plan.js';

export const CONFIGURE_KIND = 'striker.configure';

export const configurePayload = z.strictObject({
  /** The `striker_identity` row the job was created for; a newer identity makes the job fail, not apply the wrong one. */
  identityId: z.uuid(),
});
export type ConfigurePayload = z.output<typeof configurePayload>;

/** Why a configure job with host.manage off changed nothing; the UI shows it in place of "Finished". */
export const NOT_APPLIED = 'recorded, not applied (host.manage is off, so nothing on this machine changed)';

/** The prefix of each step line when host.manage is off. */
const PLANNED = 'Planned, not applied (host management is off): ';

export interface ConfigureDeps {
  db: Database;
  /** `host.manage`: apply the plan to this machine. */
  manage: boolean;
  /** Used only when `manage` is on. */
  applier: HostApplier;
}

export function configureJobKind(deps: ConfigureDeps) {
  return defineJobKind({
    kind: CONFIGURE_KIND,
    title: 'Apply the Striker identity',
    payload: configurePayload,
    maxAttempts: 1,
    onStale: 'fail',
    async run(ctx) {
      const stored = await loadIdentity(deps.db);
      if (!stored || stored.id !== ctx.payload.identityId) {
        throw new ConflictError(`identity ${ctx.payload.identityId} is no longer the Striker's identity; apply the current one instead`);
      }
      const plan = planNetwork(stored.identity);
      const steps = plan.files.length + plan.commands.length;
      const wrote = deps.manage ? 'Wrote {path} ({why})' : `${PLANNED}write {path} ({why})`;
      const ran = deps.manage ? 'Ran {command} ({why})' : `${PLANNED}run {command} ({why})`;
      await ctx.progress(5, deps.manage ? 'Applying identity {hostName}' : 'Planning identity {hostName} (host.manage is off: nothing on this machine changes)', {
        hostName: plan.hostName,
      });
      let done = 0;
      const advance = () => 5 + Math.floor((++done / steps) * 90);
      for (const file of plan.files) {
        ctx.checkpoint();
        if (deps.manage) await deps.applier.writeFile(file.path, file.content, file.mode);
        await ctx.progress(advance(), wrote, { path: file.path, why: file.why }, { milestone: true });
      }
      for (const command of plan.commands) {
        ctx.checkpoint();
        if (deps.manage) await deps.applier.run(command.argv, ctx.signal);
        await ctx.progress(advance(), ran, { command: command.argv.join(' '), why: command.why }, { milestone: true });
      }
      await savePlan(deps.db, stored.id, ctx.job.id, plan, deps.manage);
      if (!deps.manage) ctx.nothingChanged(NOT_APPLIED);
      await ctx.progress(99, deps.manage ? 'Applied {files} files and {commands} commands' : 'Recorded the plan: {files} files and {commands} commands, not applied', {
        files: plan.files.length,
        commands: plan.commands.length,
      });
    },
  });
}
