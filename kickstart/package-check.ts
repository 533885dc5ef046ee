/**
 * Checks a kickstart's `%packages` against Striker's own mirror before any machine boots it.
 * (a) With dnf: a test transaction (`tsflags=test`) into a throw-away install root, repos given
 * with `--repofrompath` and the host's own configuration shut out (`reposdir=/dev/null`,
 * `--disableplugin=local`), run through the command adapter. dnf stops at the first class of
 * error, so a second run without the missing names finds the dependency problems too.
 * (b) Without dnf: our resolver over the repos' primary metadata and comps, read from disk with
 * repo-sync's metadata readers (repomd, primary, comps; gzip, xz, bzip2 or zstd).
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CommandRunner } from '../striker/core/command/run-command.js';
import { CommandError } from '../striker/core/command/command-error.js';
import { DecodeError } from '../striker/core/errors/index.js';
import { openMetadata, parseComps, parsePrimary, parseRepomd, recordOf, type CompsGroup, type PackageEntry } from '../repo-sync/index.js';
import { parseDnfProblems } from './dnf-output.js';
import type { PackageCheckResult, PackageProblem, PackageRequest } from './package-problem.js';
import { resolvePackages, type RepoSnapshot } from './package-resolver.js';

export interface CheckRepo {
  id: string;
  /** URL dnf fetches from (http://… or file://…). */
  url: string;
  /** Local directory of the same repo (holding repodata/), for the resolver. */
  dir?: string;
}

export interface DnfCheckOptions {
  releasever?: string;
  timeoutMs?: number;
  /** Parent of the throw-away install root and cache (default the OS temp dir). */
  scratchDir?: string;
}

function dnfArgv(root: string, repos: readonly CheckRepo[], options: DnfCheckOptions, names: readonly string[], excludes: readonly string[]): string[] {
  return [
    'dnf', `--installroot=${join(root, 'root')}`, `--releasever=${options.releasever ?? '9'}`, '--disableplugin=local',
    '--setopt=reposdir=/dev/null', `--setopt=cachedir=${join(root, 'cache')}`, '--setopt=install_weak_deps=False',
    '--nogpgcheck', ...repos.flatMap((r) => [`--repofrompath=${r.id},${r.url}`, `--repo=${r.id}`]),
    ...excludes.map((e) => `--exclude=${e}`), '-y', '--setopt=tsflags=test', 'install', ...names,
  ];
}

export async function checkWithDnf(run: CommandRunner, repos: readonly CheckRepo[], request: PackageRequest, options: DnfCheckOptions = {}): Promise<PackageCheckResult> {
  const root = await mkdtemp(join(options.scratchDir ?? tmpdir(), 'striker-ks-dnf-'));
  const names = [...request.packages, ...request.groups.map((g) => `@${g}`)];
  const attempt = async (list: readonly string[]): Promise<{ ok: boolean; problems: PackageProblem[] }> => {
    const r = await run(dnfArgv(root, repos, options, list, request.excludes), { timeoutMs: options.timeoutMs ?? 300_000, okExitCodes: [0, 1] });
    if (r.exitCode === 0) return { ok: true, problems: [] };
    const problems = parseDnfProblems(`${r.stdout}\n${r.stderr}`);
    return { ok: false, problems: problems.length > 0 ? problems : [{ kind: 'other', message: r.stderr.trim().split('\n').slice(-3).join(' ') }] };
  };
  try {
    const first = await attempt(names);
    if (first.ok) return { ok: true, engine: 'dnf', problems: [] };
    const unavailable = new Set(first.problems.flatMap((p) => (p.kind === 'missing-package' ? [p.name] : p.kind === 'unknown-group' ? [`@${p.group}`] : [])));
    const rest = names.filter((n) => !unavailable.has(n));
    if (unavailable.size === 0 || rest.length === 0) return { ok: false, engine: 'dnf', problems: first.problems };
    const second = await attempt(rest);
    return { ok: false, engine: 'dnf', problems: [...first.problems, ...second.problems] };
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

/** Reads a metadata file of a local repo (compression found from its magic bytes) as chunks. */
async function withMetadata<T>(run: CommandRunner, scratchDir: string, path: string, read: (chunks: AsyncIterable<Buffer>) => Promise<T>): Promise<T> {
  const opened = await openMetadata(path, { runner: run, scratchDir }, path);
  try {
    return await read(opened.chunks);
  } finally {
    await opened.dispose();
  }
}

/** Reads primary (and comps when present) of local repo directories. */
export async function readRepoSnapshot(run: CommandRunner, dirs: readonly string[], options: { scratchDir?: string } = {}): Promise<RepoSnapshot> {
  const packages: PackageEntry[] = [];
  let groups: CompsGroup[] | undefined;
  const scratchDir = await mkdtemp(join(options.scratchDir ?? tmpdir(), 'striker-ks-md-'));
  try {
    for (const dir of dirs) {
      const index = parseRepomd(await readFile(join(dir, 'repodata', 'repomd.xml'), 'utf8'));
      const primary = recordOf(index, 'primary');
      if (primary === undefined) throw new DecodeError('no <data type="primary"> record', join(dir, 'repodata', 'repomd.xml'), 0);
      await withMetadata(run, scratchDir, join(dir, primary.href), async (chunks) => {
        for await (const pkg of parsePrimary(chunks, { file: join(dir, primary.href) })) packages.push(pkg);
      });
      const comps = recordOf(index, 'group') ?? recordOf(index, 'group_gz');
      if (comps !== undefined) {
        const found = await withMetadata(run, scratchDir, join(dir, comps.href), (chunks) => parseComps(chunks, join(dir, comps.href)));
        groups = [...(groups ?? []), ...found];
      }
    }
  } finally {
    await rm(scratchDir, { recursive: true, force: true });
  }
  return { packages, groups };
}

export async function checkWithResolver(run: CommandRunner, repos: readonly CheckRepo[], request: PackageRequest, options: { scratchDir?: string } = {}): Promise<PackageCheckResult> {
  const dirs = repos.map((r) => r.dir).filter((d): d is string => d !== undefined);
  const problems = resolvePackages(request, await readRepoSnapshot(run, dirs, options));
  return { ok: problems.length === 0, engine: 'resolver', problems };
}

/** Is dnf on this machine? (Through the adapter: a spawn failure means no.) */
export async function dnfAvailable(run: CommandRunner): Promise<boolean> {
  try {
    await run(['dnf', '--version'], { timeoutMs: 30_000 });
    return true;
  } catch (error) {
    if (error instanceof CommandError && error.failure === 'spawn') return false;
    throw error;
  }
}

/** dnf when available, otherwise the resolver over the local repo directories. */
export async function checkPackages(run: CommandRunner, repos: readonly CheckRepo[], request: PackageRequest, options: DnfCheckOptions & { engine?: 'dnf' | 'resolver' } = {}): Promise<PackageCheckResult> {
  const engine = options.engine ?? ((await dnfAvailable(run)) ? 'dnf' : 'resolver');
  return engine === 'dnf' ? checkWithDnf(run, repos, request, options) : checkWithResolver(run, repos, request, options);
}
