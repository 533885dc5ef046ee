import { describe, expect, it } from 'vitest';
import { checksumKey } from './metadata/checksum.js';
import { planSync, type PlannedPackage, type RetainPolicy } from './plan.js';

const pkg = (name: string, version: string, hash: string, href = `Packages/${name}-${version}-1.noarch.rpm`): PlannedPackage => ({
  name, arch: 'noarch', epoch: '0', version, release: '1', checksum: { algorithm: 'sha256', value: hash.padEnd(64, '0') }, href, size: 100,
});

const a1 = pkg('alpha', '1.0', 'a1');
const a2 = pkg('alpha', '2.0', 'a2');
const a3 = pkg('alpha', '3.0', 'a3');
const b1 = pkg('beta', '1.0', 'b1');
const c1 = pkg('gamma', '1.0', 'c1');

function plan(upstream: PlannedPackage[], store: PlannedPackage[], previous: PlannedPackage[], retain: RetainPolicy = { mode: 'mirror' }) {
  const keys = new Set(store.map((p) => checksumKey(p.checksum)));
  const p = planSync({ upstream, inStore: (k) => keys.has(k), previous, retain });
  const names = (l: readonly PlannedPackage[]) => l.map((x) => `${x.name}-${x.version}`).sort();
  return { download: names(p.download), present: names(p.present), removed: names(p.removed), retained: names(p.retained), publish: names(p.publish), bytes: p.bytesToDownload };
}

describe('planSync', () => {
  it.each([
    ['first sync: everything is downloaded', [a1, b1], [], [], { mode: 'mirror' } as RetainPolicy,
      { download: ['alpha-1.0', 'beta-1.0'], present: [], removed: [], retained: [], publish: ['alpha-1.0', 'beta-1.0'], bytes: 200 }],
    ['unchanged: nothing to download', [a1, b1], [a1, b1], [a1, b1], { mode: 'mirror' } as RetainPolicy,
      { download: [], present: ['alpha-1.0', 'beta-1.0'], removed: [], retained: [], publish: ['alpha-1.0', 'beta-1.0'], bytes: 0 }],
    ['another repo already stored a file: not downloaded again', [a1, c1], [c1], [], { mode: 'mirror' } as RetainPolicy,
      { download: ['alpha-1.0'], present: ['gamma-1.0'], removed: [], retained: [], publish: ['alpha-1.0', 'gamma-1.0'], bytes: 100 }],
    ['mirror policy deletes what upstream removed', [a2, b1], [a1, b1], [a1, b1], { mode: 'mirror' } as RetainPolicy,
      { download: ['alpha-2.0'], present: ['beta-1.0'], removed: ['alpha-1.0'], retained: [], publish: ['alpha-2.0', 'beta-1.0'], bytes: 100 }],
    ['keep 2 versions retains the previous alpha', [a2, b1], [a1, b1], [a1, b1], { mode: 'keep', versions: 2 } as RetainPolicy,
      { download: ['alpha-2.0'], present: ['beta-1.0'], removed: [], retained: ['alpha-1.0'], publish: ['alpha-1.0', 'alpha-2.0', 'beta-1.0'], bytes: 100 }],
    ['keep 2 drops the oldest of three', [a3], [a1, a2], [a1, a2], { mode: 'keep', versions: 2 } as RetainPolicy,
      { download: ['alpha-3.0'], present: [], removed: ['alpha-1.0'], retained: ['alpha-2.0'], publish: ['alpha-2.0', 'alpha-3.0'], bytes: 100 }],
    ['keep policy removes a package upstream dropped entirely only beyond N', [a1], [a1, b1], [a1, b1], { mode: 'keep', versions: 1 } as RetainPolicy,
      { download: [], present: ['alpha-1.0'], removed: [], retained: ['beta-1.0'], publish: ['alpha-1.0', 'beta-1.0'], bytes: 0 }],
    ['a previous file missing from the store cannot be retained', [a2], [], [a1], { mode: 'keep', versions: 3 } as RetainPolicy,
      { download: ['alpha-2.0'], present: [], removed: ['alpha-1.0'], retained: [], publish: ['alpha-2.0'], bytes: 100 }],
  ])('%s', (_name, upstream, store, previous, retain, want) => {
    expect(plan(upstream, store, previous, retain)).toEqual(want);
  });

  it('a rebuilt file at the same href replaces the old one instead of colliding', () => {
    const old = pkg('alpha', '1.0', 'old');
    const rebuilt = pkg('alpha', '1.0', 'new');
    expect(plan([rebuilt], [old], [old], { mode: 'keep', versions: 5 })).toMatchObject({ download: ['alpha-1.0'], removed: ['alpha-1.0'], retained: [] });
  });

  it('the same file listed twice is downloaded once', () => {
    const twin = { ...a1, href: 'Packages/other/alpha.rpm' };
    expect(plan([a1, twin], [], []).download).toEqual(['alpha-1.0']);
  });
});
