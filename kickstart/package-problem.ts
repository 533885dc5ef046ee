/**
 * What the `%packages` check reports, whichever engine (dnf or our resolver) found it. The
 * machine's page shows these; `describePackageProblem` is the one wording for people.
 */
export type PackageProblem =
  | { kind: 'missing-package'; name: string }
  | { kind: 'missing-dependency'; package: string; requirement: string }
  | { kind: 'unknown-group'; group: string }
  | { kind: 'other'; message: string };

export interface PackageRequest {
  packages: string[];
  /** Group ids without the `@`. */
  groups: string[];
  excludes: string[];
}

export interface PackageCheckResult {
  ok: boolean;
  engine: 'dnf' | 'resolver';
  problems: PackageProblem[];
}

export function describePackageProblem(p: PackageProblem): string {
  switch (p.kind) {
    case 'missing-package': return `package ${p.name} is not in the repos`;
    case 'missing-dependency': return `package ${p.package} needs ${p.requirement}, which nothing in the repos provides`;
    case 'unknown-group': return `group @${p.group} is not defined in the repos' comps`;
    case 'other': return p.message;
  }
}

/** The `%packages` section of a kickstart as a request (`@group`, `-exclude`, names). */
export function packageRequestOf(kickstart: string): PackageRequest {
  const request: PackageRequest = { packages: [], groups: [], excludes: [] };
  let inside = false;
  for (const raw of kickstart.split('\n')) {
    const line = raw.trim();
    const head = line.split(/\s+/, 1)[0] ?? '';
    if (!inside) { inside = head === '%packages'; continue; }
    if (head === '%end') break;
    if (line === '' || line.startsWith('#')) continue;
    if (head.startsWith('@')) request.groups.push(head.slice(1).replace(/^\^/, ''));
    else if (head.startsWith('-')) request.excludes.push(head.slice(1));
    else request.packages.push(head);
  }
  return request;
}
