/**
 * Test helper: the standard set of tiny packages for repo tests — a dependency chain
 * (gamma → beta → alpha ≥ 1.0), a comps group member (epsilon), an unsigned package (delta) —
 * built once per test file under a scratch dir, with a throwaway signing key.
 */
import { join } from 'node:path';
import { buildRpms, makeGpgKey, signRpms, type CompsGroup, type RpmSpec, type TestGpgKey } from './rpm-build.js';

export interface FixturePackages {
  key: TestGpgKey;
  /** name → RPM path (signed unless the name is `delta`). */
  rpm: Record<string, string>;
}

export const fixtureSpecs: readonly RpmSpec[] = [
  { name: 'alpha', version: '1.0' },
  { name: 'beta', version: '1.0', requires: ['alpha >= 1.0'] },
  { name: 'gamma', version: '2.1', requires: ['beta'] },
  { name: 'epsilon', version: '3.0', requires: ['alpha'] },
  { name: 'delta', version: '0.1' },
  { name: 'alpha', version: '1.1' },
];

export const fixtureGroups: readonly CompsGroup[] = [{ id: 'striker-tools', name: 'Striker test tools', packages: ['epsilon', 'gamma'] }];

export const updateinfoXml = `<?xml version="1.0" encoding="UTF-8"?>
<updates>
  <update from="security@repo.test" status="stable" type="security" version="1">
    <id>TEST-2026:0001</id>
    <title>alpha update</title>
    <issued date="2026-01-01 00:00:00"/>
    <description>test advisory</description>
    <pkglist><collection short="test"><name>test</name>
      <package name="alpha" version="1.0" release="1" epoch="0" arch="noarch"><filename>alpha-1.0-1.noarch.rpm</filename></package>
    </collection></pkglist>
  </update>
</updates>
`;

export const modulesYaml = `---
document: modulemd-defaults
version: 1
data:
  module: testmod
  stream: "1"
...
`;

export async function buildFixturePackages(dir: string): Promise<FixturePackages> {
  const [key, rpms] = await Promise.all([makeGpgKey(dir), buildRpms(join(dir, 'build'), fixtureSpecs)]);
  const rpm: Record<string, string> = {};
  fixtureSpecs.forEach((s, i) => { rpm[s.version === '1.1' ? `${s.name}-1.1` : s.name] = rpms[i]!; });
  await signRpms(Object.entries(rpm).filter(([n]) => n !== 'delta').map(([, p]) => p), key);
  return { key, rpm };
}
