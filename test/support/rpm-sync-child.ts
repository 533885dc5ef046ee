/**
 * Test helper, run as a child process (`node --import tsx rpm-sync-child.ts '<json>'`): runs one
 * syncRepo so a test can `kill -9` Striker mid-sync. Prints one JSON line per progress report.
 */
import pino from 'pino';
import { runCommand } from '../../striker/core/command/run-command.js';
import { repoConfigSchema } from '../../repo-sync/config.js';
import { repoPaths } from '../../repo-sync/repo-paths.js';
import { syncRepo } from '../../repo-sync/sync-repo.js';

const args = JSON.parse(process.argv[2] ?? '{}') as { dataDir: string; repo: unknown };
const repo = repoConfigSchema.parse(args.repo);
await syncRepo(repo, {
  paths: repoPaths(args.dataDir),
  runner: runCommand,
  ctx: { signal: new AbortController().signal, logger: pino({ level: 'silent' }), progress: (p) => process.stdout.write(`${JSON.stringify(p)}\n`) },
});
process.stdout.write('{"phase":"exit"}\n');
