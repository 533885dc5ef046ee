import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseComps, parsePrimary } from '../repo-sync/index.js';
import { parseDnfProblems, nameOfNevra } from './dnf-output.js';
import { packageRequestOf } from './package-problem.js';
import { resolvePackages, type RepoPackage, type RepoSnapshot } from './package-resolver.js';

const fixtures = new URL('../test/fixtures/repo/', import.meta.url);
const primary = readFileSync(new URL('primary-deps.xml', fixtures), 'utf8');
const comps = readFileSync(new URL('comps-core.xml', fixtures), 'utf8');

async function* once(text: string): AsyncGenerator<string> { yield text; }
async function parsed(): Promise<RepoSnapshot> {
  const packages: RepoPackage[] = [];
  for await (const p of parsePrimary(once(primary))) packages.push(p);
  return { packages, groups: await parseComps(comps) };
}

describe('resolvePackages', () => {
  let repo: RepoSnapshot;
  beforeAll(async () => { repo = await parsed(); });
  const req = (packages: string[], groups: string[] = [], excludes: string[] = []) => ({ packages, groups, excludes });

  it('resolves names, provides, file requires and groups; skips rpmlib and rich deps', () => {
    expect(resolvePackages(req(['gamma', 'libalpha.so.1()(64bit)', 'alph*'], ['core']), repo)).toEqual([]);
  });

  it('names missing packages, groups and versioned dependencies', () => {
    expect(resolvePackages(req(['beta', 'nope', 'src-only', 'zz*'], ['base']), repo)).toEqual([
      { kind: 'missing-package', name: 'nope' },
      { kind: 'missing-package', name: 'src-only' },
      { kind: 'missing-package', name: 'zz*' },
      { kind: 'unknown-group', group: 'base' },
      { kind: 'missing-dependency', package: 'beta', requirement: 'alpha >= 2.0' },
    ]);
  });

  it('honours excludes, and reports groups as unknown when there is no comps', () => {
    expect(resolvePackages(req(['gamma'], [], ['alpha']), repo)).toEqual([
      { kind: 'missing-dependency', package: 'gamma', requirement: '/usr/bin/alpha' },
      { kind: 'missing-dependency', package: 'gamma', requirement: 'libalpha.so.1()(64bit)' },
    ]);
    expect(resolvePackages(req([], ['core']), { packages: repo.packages, groups: undefined })).toEqual([{ kind: 'unknown-group', group: 'core' }]);
  });
});

describe('dnf output and %packages parsing', () => {
  it('reads dnf 4 error shapes', () => {
    const out = `No match for argument: zz1\nError: Unable to find a match: zz1 zz2\nError: \n Problem 1: conflicting requests\n  - nothing provides alpha >= 2.0 needed by beta-1.0-1.noarch\n  - package gamma-1:1.0-1.x86_64 requires delta, but none of the providers can be installed\nModule or Group 'core' is not available.`;
    expect(parseDnfProblems(out)).toEqual([
      { kind: 'missing-package', name: 'zz1' },
      { kind: 'missing-package', name: 'zz2' },
      { kind: 'missing-dependency', package: 'beta', requirement: 'alpha >= 2.0' },
      { kind: 'missing-dependency', package: 'gamma', requirement: 'delta' },
      { kind: 'unknown-group', group: 'core' },
    ]);
    expect(nameOfNevra('python3-pcs-lib-0.11.7-2.el9.noarch')).toBe('python3-pcs-lib');
  });

  it('reads the %packages section of a kickstart', () => {
    expect(packageRequestOf('lang x\n%packages --excludedocs\n@^minimal-environment\n@core\n# c\nvim\n-iwl*\n%end\n%post\nfoo\n%end\n'))
      .toEqual({ packages: ['vim'], groups: ['minimal-environment', 'core'], excludes: ['iwl*'] });
  });
});
