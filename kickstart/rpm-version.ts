/**
 * RPM version comparison: `rpmvercmp` (rpm's lib/rpmvercmp.c) and epoch:version-release ordering,
 * plus whether a provided EVR satisfies a versioned requirement (flags EQ/LT/LE/GT/GE as in
 * primary.xml `<rpm:entry flags=…>`). Pure.
 */
export interface Evr {
  epoch?: string;
  ver?: string;
  rel?: string;
}

export type DepFlags = 'EQ' | 'LT' | 'LE' | 'GT' | 'GE';

const segment = /(\d+|[A-Za-z]+|~|\^)/g;

export function rpmvercmp(a: string, b: string): number {
  if (a === b) return 0;
  const sa = a.match(segment) ?? [];
  const sb = b.match(segment) ?? [];
  let i = 0;
  for (;; i++) {
    const x = sa[i];
    const y = sb[i];
    // Tilde sorts before everything, even the end of the string; caret after the end only.
    if (x === '~' || y === '~') {
      if (x !== y) return x === '~' ? -1 : 1;
      continue;
    }
    if (x === '^' || y === '^') {
      if (x === undefined) return -1;
      if (y === undefined) return 1;
      if (x !== y) return x === '^' ? -1 : 1;
      continue;
    }
    if (x === undefined || y === undefined) break;
    const xNum = /^\d/.test(x);
    const yNum = /^\d/.test(y);
    if (xNum !== yNum) return xNum ? 1 : -1;
    if (xNum) {
      const xs = x.replace(/^0+/, '');
      const ys = y.replace(/^0+/, '');
      if (xs.length !== ys.length) return xs.length > ys.length ? 1 : -1;
      if (xs !== ys) return xs > ys ? 1 : -1;
    } else if (x !== y) return x > y ? 1 : -1;
  }
  if (sa.length === sb.length) return 0;
  return sa.length > sb.length ? 1 : -1;
}

/** Compares two EVRs; a release missing on either side is not compared (as rpm does for requires). */
export function compareEvr(a: Evr, b: Evr): number {
  const e = Number(a.epoch ?? 0) - Number(b.epoch ?? 0);
  if (e !== 0) return e > 0 ? 1 : -1;
  const v = rpmvercmp(a.ver ?? '', b.ver ?? '');
  if (v !== 0 || a.rel === undefined || b.rel === undefined) return v;
  return rpmvercmp(a.rel, b.rel);
}

/** Does a provide of version `provided` (unversioned = any) satisfy `flags required`? */
export function satisfies(provided: Evr | undefined, flags: DepFlags | undefined, required: Evr): boolean {
  if (flags === undefined || provided === undefined || provided.ver === undefined) return true;
  const c = compareEvr(provided, required);
  switch (flags) {
    case 'EQ': return c === 0;
    case 'LT': return c < 0;
    case 'LE': return c <= 0;
    case 'GT': return c > 0;
    case 'GE': return c >= 0;
  }
}

export function formatEvr(evr: Evr): string {
  const epoch = evr.epoch !== undefined && evr.epoch !== '0' ? `${evr.epoch}:` : '';
  return `${epoch}${evr.ver ?? ''}${evr.rel === undefined ? '' : `-${evr.rel}`}`;
}
