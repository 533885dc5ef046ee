/**
 * `striker kickstart render|check <mac>`. Render prints the kickstart a machine would be served,
 * with the root password hash and registration token redacted. Check runs the pre-boot check in
 * this process (lint, disk layouts, `%packages` through dnf or the resolver, via the command
 * adapter), stores the result with the machine, and exits non-zero unless the kickstart is ready.
 */
import type { Command } from 'commander';
import { resolve } from 'node:path';
import { runCommand } from '../../core/command/run-command.js';
import { ConflictError, NotFoundError, ValidationError } from '../../core/errors/index.js';
import { macSchema } from '../../core/net/mac.js';
import {
  checkDepsOf, draftPlaceOf, loadCheck, loadHostDraft, redactedPreview, runKickstartCheck, statusOf, type KickstartStatus,
} from '../../../kickstart/index.js';
import { printResult } from './output.js';
import type { CliContext } from './cli-context.js';

function macArg(raw: string): string {
  const r = macSchema.safeParse(raw);
  if (!r.success) throw new NotFoundError('machine', raw.slice(0, 80));
  return r.data;
}

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
      const mac = macArg(raw);
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
      const mac = macArg(raw);
      if (!['auto', 'dnf', 'resolver'].includes(o.engine)) throw new ValidationError([{ path: 'engine', message: `must be auto, dnf or resolver — got '${o.engine.slice(0, 40)}'` }], 'kickstart check');
      const config = c.config();
      const outcome = await c.withDb((db) =>
        runKickstartCheck(checkDepsOf({ config, db, run: runCommand }), mac, { engine: o.engine as 'auto' | 'dnf' | 'resolver' }));
      const p = c.printer();
      printResult(p, outcome, () => { for (const line of describeStatus(outcome.status)) p.out(line); });
      if (outcome.status.status !== 'ready') {
        throw new ConflictError(`the kickstart for ${mac} is ${outcome.status.status} (${outcome.status.problems.length} problem(s))`, { status: outcome.status.status });
      }
    });
}
