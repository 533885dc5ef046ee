/**
 * The problems the server found in a step, by key path (`hosts.node1.addresses.bcn1`), as the
 * wizard shows them: beside the field at that path (and a group shows those below it), and all of
 * them in a summary at the top of the step, so none is hidden.
 */
import { ApiError } from '../api.js';

export type ProblemMap = Record<string, string[]>;

/** `body.pair.prefix` and `manifest.pair.prefix` are `pair.prefix` on the page. */
export function fieldPath(path: string): string {
  return path.replace(/^(body|manifest|document)\.?/, '');
}

export function byPath(problems: readonly { path: string; message: string }[]): ProblemMap {
  const out: ProblemMap = {};
  for (const p of problems) (out[fieldPath(p.path)] ??= []).push(p.message);
  return out;
}

/** The problems an error carries (a 400 with every problem), or none. */
export function problemsOf(error: unknown): ProblemMap {
  return error instanceof ApiError ? byPath(error.problems) : {};
}

/** The messages of one field: its own path only. */
export function own(problems: ProblemMap, path: string): string[] {
  return problems[path] ?? [];
}

/** The messages of a group: its path and every path below it. */
export function below(problems: ProblemMap, path: string): string[] {
  return Object.entries(problems)
    .filter(([p]) => p === path || p.startsWith(`${path}.`))
    .flatMap(([, m]) => m);
}

export function count(problems: ProblemMap): number {
  return Object.values(problems).reduce((n, m) => n + m.length, 0);
}

/** The element a problem points to: the field at its path, or the nearest field above it. */
export function elementFor(path: string, root: ParentNode = document): HTMLElement | null {
  const parts = path.split('.');
  while (parts.length > 0) {
    const el = root.querySelector<HTMLElement>(`[id="${CSS.escape(parts.join('.'))}"]`);
    if (el) return el;
    parts.pop();
  }
  return null;
}
