/**
 * Reads dnf 4's error output from an install transaction into PackageProblems. Shapes seen with
 * dnf 4.14 (Debian 12) and RHEL 9's dnf:
 *   `No match for argument: NAME` / `Error: Unable to find a match: A B`
 *   `Module or Group 'core' is not available.` / `Group 'core' is not available` (older)
 *   ` - nothing provides REQ needed by NEVRA` (inside `Problem N: …`)
 *   ` - package NEVRA requires REQ, but none of the providers can be installed`
 * Pure.
 */
import type { PackageProblem } from './package-problem.js';

/** `beta-1.0-1.noarch` → `beta`; `1:foo-2-3.x86_64` (epoch form) → `foo`. */
export function nameOfNevra(nevra: string): string {
  const m = /^(?:\d+:)?(.+)-[^-]+-[^-]+\.[^.]+$/.exec(nevra) ?? /^(.+)-\d+:[^-]+-[^-]+\.[^.]+$/.exec(nevra);
  return m?.[1] ?? nevra;
}

export function parseDnfProblems(output: string): PackageProblem[] {
  const problems: PackageProblem[] = [];
  const seen = new Set<string>();
  const add = (p: PackageProblem): void => {
    const key = JSON.stringify(p);
    if (!seen.has(key)) { seen.add(key); problems.push(p); }
  };
  for (const raw of output.split('\n')) {
    const line = raw.trim();
    let m: RegExpExecArray | null;
    if ((m = /^No match for argument: (.+)$/.exec(line)) !== null) add({ kind: 'missing-package', name: (m[1] as string).trim() });
    else if ((m = /^Error: Unable to find a match: (.+)$/.exec(line)) !== null) {
      for (const name of (m[1] as string).trim().split(/\s+/)) add({ kind: 'missing-package', name });
    } else if ((m = /^(?:Module or )?Group '([^']+)' is not available/.exec(line)) !== null) add({ kind: 'unknown-group', group: m[1] as string });
    else if ((m = /^- nothing provides (.+) needed by (\S+)/.exec(line)) !== null) {
      add({ kind: 'missing-dependency', package: nameOfNevra(m[2] as string), requirement: (m[1] as string).trim() });
    } else if ((m = /^- package (\S+) requires (.+), but none of the providers can be installed/.exec(line)) !== null) {
      add({ kind: 'missing-dependency', package: nameOfNevra(m[1] as string), requirement: (m[2] as string).trim() });
    } else if (/^- /.test(line) && problems.length === 0) add({ kind: 'other', message: line.slice(2) });
  }
  return problems;
}
