/**
 * `striker manifest run <name> [--wait]`: runs a stored manifest (the action the API's
 * POST /api/manifests/:id/run calls) and prints its job graph; with --wait, follows the jobs until
 * none is left to run now (the held cluster jobs wait for their release) and exits non-zero when
 * one failed. The jobs are run by `striker serve` and the hosts' agents.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Command } from 'commander';
import { manifestRun, runManifest, type ManifestRunView } from '../../manifest/index.js';
import { printResult } from './output.js';
import type { CliContext } from './cli-context.js';
import type { Printer } from './output.js';

export function addManifestRunCommands(program: Command, c: CliContext, setExit: (code: number) => void): void {
  const manifest = program.commands.find((cmd) => cmd.name() === 'manifest') ?? program.command('manifest').description('install manifests: node pairs, their networks, fencing and power');

  manifest
    .command('run <name>')
    .description('run a manifest (by name, like an-anvil-01, or id): its network, check and cluster jobs; again after a failure or a rebuilt node, only what is needed')
    .option('--wait', 'follow the jobs until none is left to run now; exit 1 when one failed')
    .option('--poll-ms <ms>', 'how often --wait looks at the jobs', '1000')
    .action(async (name: string, o: { wait?: boolean; pollMs: string }) => {
      const p = c.printer();
      const result = await c.withDb(async (db) => {
        const run = await runManifest({ db }, c.cliActor(), name);
        if (!o.wait) return run;
        if (!p.json) printRun(p, run, run.existing ? 'existing run' : 'new run');
        return follow(p, run, (r) => manifestRun({ db }, r.manifestId, r.runId), Math.max(100, Number(o.pollMs) || 1000));
      });
      if (o.wait) {
        printResult(p, result, () => p.out(`run ${result.runId}: ${result.state}`));
        if (result.state === 'failed') setExit(1);
      } else {
        printResult(p, result, () => printRun(p, result, 'existing' in result && result.existing ? 'existing run' : 'new run'));
      }
    });
}

function printRun(p: Printer, run: ManifestRunView, what: string): void {
  p.out(`${what} ${run.runId} of revision ${run.revision}: ${run.state}`);
  for (const j of run.jobs) p.out(`  ${j.key.padEnd(32)} ${j.status.padEnd(10)} ${String(j.progress).padStart(3)}%  ${j.text}${j.created ? '' : '  (kept from an earlier run)'}`);
}

/** Polls the run, printing each job whose status or progress changed, until it is no longer running. */
async function follow(p: Printer, run: ManifestRunView, read: (r: ManifestRunView) => Promise<ManifestRunView>, pollMs: number): Promise<ManifestRunView> {
  const seen = new Map(run.jobs.map((j) => [j.key, `${j.status} ${j.progress}`]));
  let current = run;
  while (current.state === 'running') {
    await sleep(pollMs);
    current = await read(current);
    for (const j of current.jobs) {
      const now = `${j.status} ${j.progress}`;
      if (seen.get(j.key) === now) continue;
      seen.set(j.key, now);
      if (!p.json) p.out(`  ${j.key.padEnd(32)} ${j.status.padEnd(10)} ${String(j.progress).padStart(3)}%  ${j.text}`);
    }
  }
  return current;
}
