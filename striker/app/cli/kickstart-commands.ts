/**
 * `striker kickstart render|check <mac>`. Render prints the kickstart a machine would be served,
 * with the root password hash and registration token redacted. Check is kickstart's check action:
 * a `kickstart.check` job (lint, disk layouts, `%packages` through dnf or the resolver), run by
 * `striker serve` or, when this process started the database, here (run-job.ts); the result is
 * stored with the machine, and the command exits non-zero unless the kickstart is ready.
 */
import type { Command } from 'commander';
import { resolve } from 'node:path';
import { runCommand } from '../../core/command/run-command.js';
import { ConflictError } from '../../core/errors/index.js';
import { machineMacOf } from '../../machines/index.js';
import {
  checkDepsOf, draftPlaceOf, kickstartCheckJobKind, loadCheck, loadHostDraft, redactedPreview, requestKickstartCheck, statusOf, type KickstartStatus,
} from '../../../kickstart/index.js';
import { printResult } from './output.js';
import type { CliContext } from './cli-context.js';
import { startJobHere } from './run-job.js';

function describeStatus(s: KickstartStatus): string[] {
  const lines = [`${s.mac}  ${s.status}${s.checkedAt ? `  checked ${s.checkedAt.toISOString()} (${s.engine ?? '-'})` : ''}`];
  for (const p of s.problems) lines.push(`  - ${'path' in p ? `${p.path}: ${p.message}` : `${p.source}${p.line > 0 ? ` line ${p.line}` : ''}: ${p.message}`}`);
  return lines;
}

export function addKickstartCommands(program: Command, c: CliContext): void {
  const ks = program.command('kickstart').description("machines' kickstarts: preview and pre-boot check");

  ks.command('render <mac>')
    .description('print the kickstart a machine would be served (secrets redacted)')
    .action(async (raw: string) => {
      const mac = machineMacOf(raw);
      const config = c.config();
      const result = await c.withDb(async (db) => {
        const draft = await loadHostDraft(db, mac, draftPlaceOf(config, resolve(config.dataDir)));
        if (!draft.ok) throw new ConflictError(`the kickstart for ${mac} cannot be built yet:\n${draft.problems.map((p) => `  - ${p.path}: ${p.message}`).join('\n')}`, { problems: draft.problems });
        return { mac, hostId: draft.hostId, kickstart: redactedPreview(draft.draft), status: statusOf(draft, await loadCheck(db, mac)) };
      });
      const p = c.printer();
      printResult(p, result, () => p.out(result.kickstart.trimEnd()));
    });

  ks.command('check <mac>')
    .description('check a kickstart against the mirror now and store the result (exit 1 unless ready)')
    .option('--engine <engine>', 'auto, dnf or resolver', 'auto')
    .action(async (raw: string, o: { engine: string }) => {
      const config = c.config();
      const place = draftPlaceOf(config, resolve(config.dataDir));
      const result = await c.withDb(async (db, logger, opened) => {
        const job = await startJobHere(
          c,
          { db, logger, startedHere: opened.startedHere },
          [kickstartCheckJobKind(checkDepsOf({ config, db, run: runCommand }))],
          (d, catalog) => requestKickstartCheck(d, catalog, c.cliActor(), raw, { engine: o.engine }),
          { wait: true, returnFailed: true },
        );
        const mac = (job.payload as { mac: string }).mac;
        return { job, status: statusOf(await loadHostDraft(db, mac, place), await loadCheck(db, mac)) };
      });
      const { status } = result;
      const mac = status.mac;
      const p = c.printer();
      printResult(p, result, () => { for (const line of describeStatus(status)) p.out(line); });
      if (status.status !== 'ready') {
        throw new ConflictError(`the kickstart for ${mac} is ${status.status} (${status.problems.length} problem(s))`, { status: status.status });
      }
    });
}
