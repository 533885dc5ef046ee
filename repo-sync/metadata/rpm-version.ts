/**
 * RPM version ordering (rpmvercmp from rpm's lib/rpmvercmp.c): compare alternating runs of digits
 * and letters; digits beat letters; `~` sorts before anything (even the end), `^` after the end
 * but before anything else. EVR compares epoch, then version, then release.
 */
export function rpmvercmp(a: string, b: string): number {
  if (a === b) return 0;
  let i = 0;
  let j = 0;
  const isAlnum = (c: string | undefined) => c !== undefined && /[A-Za-z0-9]/.test(c);
  while (i < a.length || j < b.length) {
    while (i < a.length && !isAlnum(a[i]) && a[i] !== '~' && a[i] !== '^') i++;
    while (j < b.length && !isAlnum(b[j]) && b[j] !== '~' && b[j] !== '^') j++;
    if (a[i] === '~' || b[j] === '~') {
      if (a[i] !== '~') return 1;
      if (b[j] !== '~') return -1;
      i++; j++; continue;
    }
    if (a[i] === '^' || b[j] === '^') {
      if (i >= a.length) return -1;
      if (j >= b.length) return 1;
      if (a[i] !== '^') return 1;
      if (b[j] !== '^') return -1;
      i++; j++; continue;
    }
    if (!(i < a.length && j < b.length)) break;
    const numeric = /[0-9]/.test(a[i]!);
    const take = (s: string, k: number) => { let e = k; while (e < s.length && (numeric ? /[0-9]/.test(s[e]!) : /[A-Za-z]/.test(s[e]!))) e++; return e; };
    const ie = take(a, i);
    const je = take(b, j);
    let sa = a.slice(i, ie);
    let sb = b.slice(j, je);
    if (sb === '') return numeric ? 1 : -1;
    if (numeric) {
      sa = sa.replace(/^0+/, '');
      sb = sb.replace(/^0+/, '');
      if (sa.length !== sb.length) return sa.length > sb.length ? 1 : -1;
    }
    if (sa !== sb) return sa < sb ? -1 : 1;
    i = ie; j = je;
  }
  if (i >= a.length && j >= b.length) return 0;
  return i >= a.length ? -1 : 1;
}

export interface Evr { epoch: string; version: string; release: string }

export function compareEvr(a: Evr, b: Evr): number {
  const ea = Number(a.epoch || '0');
  const eb = Number(b.epoch || '0');
  if (ea !== eb) return ea < eb ? -1 : 1;
  return rpmvercmp(a.version, b.version) || rpmvercmp(a.release, b.release);
}
