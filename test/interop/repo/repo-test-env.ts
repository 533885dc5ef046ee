/**
 * Shared setup for repo interop tests: a Striker data dir, a signing key, a JobContext that
 * records progress, and a fastify instance with registerRepoRoutes listening on 127.0.0.1.
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import pino from 'pino';
import { runCommand } from '../../../striker/core/command/run-command.js';
import type { JobContext, SyncProgress } from '../../../repo-sync/job-context.js';
import { repoPaths, type RepoPaths } from '../../../repo-sync/repo-paths.js';
import { registerRepoRoutes } from '../../../repo-sync/content-routes.js';
import { GpgRepoSigner } from '../../../repo-sync/verify/repo-signer.js';

export interface RepoTestEnv {
  scratch: string;
  paths: RepoPaths;
  signer: GpgRepoSigner;
  app: FastifyInstance;
  mirrorUrl: string;
  progress: SyncProgress[];
  ctx: (signal?: AbortSignal) => JobContext;
  close: () => Promise<void>;
}

export async function startRepoTestEnv(prefix: string): Promise<RepoTestEnv> {
  const scratch = await mkdtemp(join(tmpdir(), prefix));
  const paths = repoPaths(join(scratch, 'data'));
  await mkdir(paths.published, { recursive: true });
  await mkdir(paths.trees, { recursive: true });
  // As `striker serve` does: the signer creates its key on first use; syncRepo publishes the public half.
  const signer = new GpgRepoSigner(paths.gnupg, runCommand);
  const app = Fastify({ logger: false });
  await registerRepoRoutes(app, { reposDir: paths.published, treesDir: paths.trees });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const progress: SyncProgress[] = [];
  const logger = pino({ level: 'silent' });
  return {
    scratch, paths, signer, app, progress, mirrorUrl: `http://127.0.0.1:${port}`,
    ctx: (signal = new AbortController().signal) => ({ signal, logger, progress: (p) => progress.push(p) }),
    close: async () => {
      await app.close();
      await runCommand(['gpgconf', '--homedir', paths.gnupg, '--kill', 'gpg-agent'], { timeoutMs: 10_000 }).catch(() => {});
      await rm(scratch, { recursive: true, force: true });
    },
  };
}
