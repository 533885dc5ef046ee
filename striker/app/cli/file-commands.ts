/**
 * `striker files list|add|remove|push`: files synced to hosts, through the same actions as the API
 * (cluster/files/actions.ts). `add` takes a file on this Striker's disk through the same chunked,
 * checksummed upload the browser uses; `push` enqueues a file.fetch job on each host named.
 */
import { join, resolve, basename } from 'node:path';
import type { Command } from 'commander';
import { addLocalFile, findFile, listFiles, pushFile, removeFile, type FileKind, type FilesDeps } from '../../../cluster/files/index.js';
import { freeBytes } from '../../../repo-sync/index.js';
import type { Database } from '../../db/database.js';
import { printResult } from './output.js';
import type { CliContext } from './cli-context.js';

export function addFileCommands(program: Command, c: CliContext): void {
  const files = program.command('files').description('files synced to hosts (ISOs, scripts, server definitions): list, add, remove, push');
  const depsOf = (db: Database): FilesDeps => ({ db, dir: join(resolve(c.config().dataDir), 'files'), config: c.config().files, freeBytes });

  files
    .command('list')
    .description('every file with its size, SHA-256 and state on each host')
    .action(async () => {
      const list = await c.withDb((db) => listFiles(db));
      const p = c.printer();
      printResult(p, { files: list }, () => {
        if (list.length === 0) p.out('no files');
        for (const f of list) {
          p.out(`${f.name}  ${f.kind}  ${f.sizeBytes} bytes  sha256 ${f.sha256}`);
          for (const h of f.hosts) p.out(`  ${h.hostId}  ${h.state}${h.state === 'fetching' ? ` ${h.bytes} bytes` : ''}${h.error ? ` — ${h.error}` : ''}`);
        }
      });
    });

  files
    .command('add <path>')
    .description("upload a file on this Striker's disk (size and SHA-256 recorded)")
    .requiredOption('--kind <kind>', 'iso, script or definition')
    .option('--name <name>', 'the name hosts keep it under (default: the file name)')
    .action(async (path: string, o: { kind: string; name?: string }) => {
      const file = await c.withDb((db) => addLocalFile(depsOf(db), c.cliActor(), path, { name: o.name ?? basename(path), kind: o.kind as FileKind }));
      const p = c.printer();
      printResult(p, { file }, () => p.out(`${file.name}: ${file.sizeBytes} bytes, sha256 ${file.sha256} (id ${file.id})`));
    });

  files
    .command('remove <file>')
    .description('remove a file (by name or id); refused while a server uses it')
    .action(async (ref: string) => {
      await c.withDb(async (db) => removeFile(depsOf(db), c.cliActor(), ref));
      const p = c.printer();
      printResult(p, { removed: ref }, () => p.out(`${ref} removed`));
    });

  files
    .command('push <file> <hostId...>')
    .description('have each host fetch the file (a file.fetch job per host)')
    .action(async (ref: string, hosts: string[]) => {
      const result = await c.withDb(async (db) => {
        const pushed = await pushFile(depsOf(db), c.cliActor(), ref, { hosts });
        return { file: await findFile(db, pushed.file.id), jobs: pushed.jobs };
      });
      const p = c.printer();
      printResult(p, result, () => {
        for (const j of result.jobs) p.out(`${result.file.name} → ${j.hostId}: job ${j.jobId}`);
      });
    });
}
