/**
 * The sync plan (pure): given what upstream lists, what the content-addressed store already holds,
 * and what the last published snapshot contained, decide what to download, what is already here,
 * and what upstream removed — dropped (`mirror`) or kept up to N versions per name.arch (`keep`).
 */
import { checksumKey } from './metadata/checksum.js';
import type { PackageEntry } from './metadata/primary.js';
import { compareEvr } from './metadata/rpm-version.js';

/** A package as the plan and the snapshot manifest need it (no dependency or file lists). */
export type PlannedPackage = Omit<PackageEntry, 'requires' | 'provides' | 'files'>;

export type RetainPolicy = { mode: 'mirror' } | { mode: 'keep'; versions: number };

export interface SyncPlanInput {
  upstream: readonly PlannedPackage[];
  /** True when the store holds a verified file with this checksum key (`sha256:…`). */
  inStore: (checksumKey: string) => boolean;
  /** Packages of the currently published snapshot (empty on first sync). */
  previous: readonly PlannedPackage[];
  retain: RetainPolicy;
}

export interface SyncPlan {
  download: readonly PlannedPackage[];
  present: readonly PlannedPackage[];
  /** In the previous snapshot, gone upstream, and not kept. */
  removed: readonly PlannedPackage[];
  /** In the previous snapshot, gone upstream, kept by policy (already in the store). */
  retained: readonly PlannedPackage[];
  /** Everything the new snapshot will contain: upstream + retained. */
  publish: readonly PlannedPackage[];
  bytesToDownload: number;
}

export function planSync(input: SyncPlanInput): SyncPlan {
  const download: PlannedPackage[] = [];
  const present: PlannedPackage[] = [];
  const seen = new Set<string>();
  const hrefs = new Set<string>();
  for (const p of input.upstream) {
    const key = checksumKey(p.checksum);
    hrefs.add(p.href);
    if (seen.has(key)) continue; // the same file listed twice (e.g. two hrefs): fetch once
    seen.add(key);
    (input.inStore(key) ? present : download).push(p);
  }
  const upstreamKeys = new Set(input.upstream.map((p) => checksumKey(p.checksum)));
  const gone = input.previous.filter((p) => !upstreamKeys.has(checksumKey(p.checksum)) && !hrefs.has(p.href) && input.inStore(checksumKey(p.checksum)));
  const goneMissing = input.previous.filter((p) => !upstreamKeys.has(checksumKey(p.checksum)) && !gone.includes(p));
  const retained: PlannedPackage[] = [];
  const removed: PlannedPackage[] = [...goneMissing];
  if (input.retain.mode === 'mirror') {
    removed.push(...gone);
  } else {
    const keep = Math.max(1, input.retain.versions);
    const byName = new Map<string, PlannedPackage[]>();
    for (const p of [...input.upstream, ...gone]) {
      const k = `${p.name}.${p.arch}`;
      const list = byName.get(k) ?? [];
      list.push(p);
      byName.set(k, list);
    }
    const goneSet = new Set(gone);
    for (const list of byName.values()) {
      list.sort((a, b) => compareEvr(b, a));
      list.forEach((p, index) => {
        if (!goneSet.has(p)) return;
        (index < keep ? retained : removed).push(p);
      });
    }
  }
  const bytesToDownload = download.reduce((n, p) => n + p.size, 0);
  return { download, present, removed, retained, publish: [...input.upstream, ...retained], bytesToDownload };
}
