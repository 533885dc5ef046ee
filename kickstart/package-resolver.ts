/**
 * Our own dependency closure over parsed repo metadata, for when `dnf` is not available: every
 * requested name (or provide, or glob) must exist, every group must be in comps, and every
 * `Requires:` of everything pulled in must be provided by some package (or a file listed in
 * primary) at a satisfying version. It does not model conflicts, obsoletes, modules or rich
 * (boolean) dependencies — those it accepts — so dnf remains the stricter check. Pure.
 */
import { compareEvr, formatEvr, satisfies, type CompsGroup, type Dependency, type PackageEntry } from '../repo-sync/index.js';
import type { PackageProblem, PackageRequest } from './package-problem.js';

/** What the resolver reads of a package in primary.xml. */
export type RepoPackage = Pick<PackageEntry, 'name' | 'arch' | 'epoch' | 'version' | 'release' | 'provides' | 'requires' | 'files'>;

export interface RepoSnapshot {
  packages: readonly RepoPackage[];
  /** undefined when no repo has comps: every group is then unknown. */
  groups: readonly CompsGroup[] | undefined;
}

export interface ResolveOptions {
  arches?: readonly string[];
}

function globToRegExp(glob: string): RegExp {
  return new RegExp(`^${glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`);
}

export function formatDep(dep: Dependency): string {
  if (dep.flags === undefined) return dep.name;
  const op = { EQ: '=', LT: '<', LE: '<=', GT: '>', GE: '>=' }[dep.flags];
  return `${dep.name} ${op} ${formatEvr(dep)}`;
}

export interface RepoIndex {
  byName: Map<string, RepoPackage[]>;
  byProvide: Map<string, { pkg: RepoPackage; dep: Dependency }[]>;
  byFile: Map<string, RepoPackage[]>;
  groups: readonly CompsGroup[] | undefined;
}

/** Indexes a snapshot once (names, provides, files); reuse it for every host checked against it. */
export function indexRepo(repo: RepoSnapshot, options: ResolveOptions & { excludes?: readonly string[] } = {}): RepoIndex {
  const arches = new Set(options.arches ?? ['x86_64', 'noarch']);
  const excluded = (options.excludes ?? []).map(globToRegExp);
  const index: RepoIndex = { byName: new Map(), byProvide: new Map(), byFile: new Map(), groups: repo.groups };
  const push = <K, V>(map: Map<K, V[]>, key: K, value: V): void => { const list = map.get(key); if (list) list.push(value); else map.set(key, [value]); };
  for (const pkg of repo.packages) {
    if (!arches.has(pkg.arch) || excluded.some((re) => re.test(pkg.name))) continue;
    push(index.byName, pkg.name, pkg);
    for (const dep of pkg.provides) push(index.byProvide, dep.name, { pkg, dep });
    for (const file of pkg.files) push(index.byFile, file, pkg);
  }
  return index;
}

export function resolvePackages(request: PackageRequest, repo: RepoSnapshot, options: ResolveOptions = {}): PackageProblem[] {
  return resolveWithIndex(request, indexRepo(repo, { ...options, excludes: request.excludes }));
}

/** Resolves against a prebuilt index; the request's excludes must have been given to indexRepo. */
export function resolveWithIndex(request: PackageRequest, index: RepoIndex): PackageProblem[] {
  const { byName, byProvide, byFile } = index;
  const newest = (list: readonly RepoPackage[]): RepoPackage => list.reduce((a, b) => (compareEvr(b, a) > 0 ? b : a));

  const problems: PackageProblem[] = [];
  const chosen = new Set<RepoPackage>();
  const queue: RepoPackage[] = [];
  const take = (pkg: RepoPackage): void => { if (!chosen.has(pkg)) { chosen.add(pkg); queue.push(pkg); } };

  const requestName = (name: string): boolean => {
    if (/[*?]/.test(name)) {
      const re = globToRegExp(name);
      const hits = [...byName.keys()].filter((n) => re.test(n));
      for (const n of hits) take(newest(byName.get(n) ?? []));
      return hits.length > 0;
    }
    const named = byName.get(name);
    if (named !== undefined) { take(newest(named)); return true; }
    const provided = byProvide.get(name);
    if (provided !== undefined) { take(newest(provided.map((p) => p.pkg))); return true; }
    return false;
  };

  for (const name of request.packages) {
    if (!requestName(name)) problems.push({ kind: 'missing-package', name });
  }
  for (const id of request.groups) {
    const group = index.groups?.find((g) => g.id === id);
    if (group === undefined) { problems.push({ kind: 'unknown-group', group: id }); continue; }
    for (const name of group.packages) {
      if (!requestName(name)) problems.push({ kind: 'missing-package', name: `${name} (from @${id})` });
    }
  }

  for (let next = 0; next < queue.length; next++) {
    const pkg = queue[next] as RepoPackage;
    for (const req of pkg.requires) {
      if (req.name.startsWith('rpmlib(') || req.name.startsWith('(')) continue;
      const providers = (byProvide.get(req.name) ?? [])
        .filter((p) => satisfies(p.dep.version === undefined ? undefined : p.dep, req.flags, req))
        .map((p) => p.pkg);
      if (req.name.startsWith('/')) providers.push(...(byFile.get(req.name) ?? []));
      if (providers.length === 0) {
        problems.push({ kind: 'missing-dependency', package: pkg.name, requirement: formatDep(req) });
        continue;
      }
      if (!providers.some((p) => chosen.has(p))) take(newest(providers));
    }
  }
  return problems;
}
