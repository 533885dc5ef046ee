import { describe, expect, it } from 'vitest';
import { DecodeError } from '../striker/core/errors/index.js';
import { parseDnfProblems, nameOfNevra } from './dnf-output.js';
import { packageRequestOf } from './package-problem.js';
import { resolvePackages } from './package-resolver.js';
import { parseComps, parsePrimary, parseRepomd, type RepoPackage } from './repo-metadata.js';

const primary = `<?xml version="1.0" encoding="UTF-8"?>
<metadata xmlns="http://linux.duke.edu/metadata/common" xmlns:rpm="http://linux.duke.edu/metadata/rpm" packages="4">
<package type="rpm"><name>alpha</name><arch>noarch</arch><version epoch="0" ver="1.0" rel="1"/>
  <summary>a &amp; b</summary><format><rpm:provides><rpm:entry name="alpha" flags="EQ" epoch="0" ver="1.0" rel="1"/><rpm:entry name="libalpha.so.1()(64bit)"/></rpm:provides>
  <file>/usr/bin/alpha</file></format></package>
<package type="rpm"><name>beta</name><arch>x86_64</arch><version epoch="0" ver="2.0" rel="1"/>
  <format><rpm:requires><rpm:entry name="alpha" flags="GE" epoch="0" ver="2.0"/><rpm:entry name="rpmlib(CompressedFileNames)" flags="LE" epoch="0" ver="3.0.4" rel="1"/></rpm:requires></format></package>
<package type="rpm"><name>gamma</name><arch>x86_64</arch><version epoch="0" ver="1.0" rel="1"/>
  <format><rpm:requires><rpm:entry name="/usr/bin/alpha"/><rpm:entry name="libalpha.so.1()(64bit)"/><rpm:entry name="(delta if epsilon)"/></rpm:requires></format></package>
<package type="rpm"><name>src-only</name><arch>src</arch><version epoch="0" ver="1" rel="1"/><format/></package>
</metadata>`;

const comps = `<?xml version="1.0"?><!DOCTYPE comps PUBLIC "-//Red Hat, Inc.//DTD Comps info//EN" "comps.dtd">
<comps><group><id>core</id><name>Core</name><name xml:lang="de">Kern</name><packagelist>
<packagereq type="mandatory">alpha</packagereq><packagereq type="optional">beta</packagereq><packagereq type="default">gamma</packagereq>
</packagelist></group><environment><id>server</id></environment></comps>`;

describe('repo metadata', () => {
  it('reads repomd, primary and comps', () => {
    expect(parseRepomd('<repomd><data type="primary"><location href="repodata/p.xml.gz"/></data><data type="group"><location href="repodata/c.xml"/></data></repomd>').locations)
      .toEqual({ primary: 'repodata/p.xml.gz', group: 'repodata/c.xml' });
    const pkgs = parsePrimary(primary);
    expect(pkgs.map((p) => `${p.name}.${p.arch}`)).toEqual(['alpha.noarch', 'beta.x86_64', 'gamma.x86_64', 'src-only.src']);
    expect(pkgs[0]).toMatchObject({ epoch: '0', ver: '1.0', rel: '1', files: ['/usr/bin/alpha'], provides: [{ name: 'alpha', flags: 'EQ', ver: '1.0' }, { name: 'libalpha.so.1()(64bit)' }] });
    expect(pkgs[1]?.requires[0]).toEqual({ name: 'alpha', flags: 'GE', epoch: '0', ver: '2.0' });
    expect(parseComps(comps)).toEqual([{ id: 'core', packages: ['alpha', 'gamma'] }]);
  });

  it('refuses truncated or mis-nested XML with the offset', () => {
    expect(() => parsePrimary(primary.slice(0, 400))).toThrow(DecodeError);
    expect(() => parseRepomd('<repomd><data></repomd>')).toThrow(/<\/repomd> does not close <data>/);
    expect(() => parseRepomd('<repomd/>')).toThrow(/no <data type="primary">/);
  });
});

describe('resolvePackages', () => {
  const repo = { packages: parsePrimary(primary), groups: parseComps(comps) };
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
    expect(resolvePackages(req([], ['core']), { packages: repo.packages as RepoPackage[], groups: undefined })).toEqual([{ kind: 'unknown-group', group: 'core' }]);
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

describe('metadata parsers on hostile input', () => {
  it('only ever throw DecodeError on random bytes', () => {
    let seed = 42;
    const rand = (n: number): number => { seed = (seed * 1103515245 + 12345) >>> 0; return seed % n; };
    const parts = ['<', '>', '/', '<package>', '</package>', '<name>', '</name>', '<rpm:entry name="x"/>', '"', '=', 'a', '&amp;', '&#x41;', '&#x110000;', '&#99999999999;', '<![CDATA[', ']]>', '<!--', '-->', ' '];
    for (let i = 0; i < 3000; i++) {
      const xml = Array.from({ length: rand(40) }, () => parts[rand(parts.length)]).join('');
      for (const parse of [parsePrimary, parseComps, parseRepomd]) {
        try { parse(xml); } catch (error) { expect(error).toBeInstanceOf(DecodeError); }
      }
    }
  });
});
