/**
 * RPM version ordering, as rpm itself does it. Pure.
 * - `rpmvercmp` (rpm's rpmio/rpmvercmp.c): compare alternating runs of ASCII digits and letters,
 *   everything else only separates; digits beat letters; `~` sorts before anything (even the
 *   end), `^` after the end but before anything else.
 * - `compareEvr` (rpmverCmp in rpm's rpmio/rpmver.c): epoch, then version, then release, each with
 *   rpmvercmp; a missing epoch is 0, and a missing version or release sorts before a present one.
 * - `satisfies` (rpmdsCompare in lib/rpmds.c with rpmverOverlap): does a provide meet a versioned
 *   requirement (`<rpm:entry flags="GE" …>`)? Here a release or epoch missing on one side is not
 *   compared, as rpm does when it matches dependencies.
 */
export interface Evr {
  epoch?: string;
  version?: string;
  release?: string;
}

/** The sense flags createrepo_c writes in `<rpm:entry flags=…>`. */
export type DepFlags = 'EQ' | 'LT' | 'LE' | 'GT' | 'GE';

export const depFlags: readonly DepFlags[] = ['EQ', 'LT', 'LE', 'GT', 'GE'];

const isDigit = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9';
const isAlpha = (c: string | undefined): boolean => c !== undefined && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'));

export function rpmvercmp(a: string, b: string): number {
  if (a === b) return 0;
  let i = 0;
  let j = 0;
  const separator = (c: string | undefined) => c !== undefined && !isDigit(c) && !isAlpha(c) && c !== '~' && c !== '^';
  while (i < a.length || j < b.length) {
    while (separator(a[i])) i++;
    while (separator(b[j])) j++;
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
    const numeric = isDigit(a[i]);
    const inRun = numeric ? isDigit : isAlpha;
    let ie = i;
    let je = j;
    while (inRun(a[ie])) ie++;
    while (inRun(b[je])) je++;
    // The run types differ (b has a letter where a has a digit, or the reverse): digits win.
    if (je === j) return numeric ? 1 : -1;
    let sa = a.slice(i, ie);
    let sb = b.slice(j, je);
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

/** rpm's compare_values: a present value beats a missing one. */
function compareValues(a: string | undefined, b: string | undefined): number {
  if (a === undefined || b === undefined) return a === b ? 0 : a === undefined ? -1 : 1;
  return rpmvercmp(a, b);
}

/** Orders two EVRs as rpm orders packages (newer is greater). An empty epoch counts as 0. */
export function compareEvr(a: Evr, b: Evr): number {
  return compareValues(a.epoch || '0', b.epoch || '0') || compareValues(a.version, b.version) || compareValues(a.release, b.release);
}

const hasLess = (f: DepFlags) => f === 'LT' || f === 'LE';
const hasGreater = (f: DepFlags) => f === 'GT' || f === 'GE';
const hasEqual = (f: DepFlags) => f === 'EQ' || f === 'LE' || f === 'GE';

/**
 * Does a provide of EVR `provided` (`= provided`, as packages provide themselves; undefined when
 * the provide has no version) satisfy the requirement `flags required`? An unversioned side
 * always matches.
 */
export function satisfies(provided: Evr | undefined, flags: DepFlags | undefined, required: Evr): boolean {
  if (flags === undefined || provided === undefined || !provided.version || !required.version) return true;
  let sense = 0;
  if (provided.epoch && required.epoch) sense = rpmvercmp(provided.epoch, required.epoch);
  else if (provided.epoch && epochValue(provided.epoch) > 0) sense = 1;
  else if (required.epoch && epochValue(required.epoch) > 0) sense = -1;
  if (sense === 0) {
    sense = rpmvercmp(provided.version, required.version);
    if (sense === 0) {
      if (provided.release && required.release) sense = rpmvercmp(provided.release, required.release);
      // A side without a release matches every release when the other side includes equality.
      else if ((provided.release && hasEqual(flags)) || required.release) return true;
    }
  }
  if (sense < 0) return hasLess(flags);
  if (sense > 0) return hasGreater(flags);
  return hasEqual(flags);
}

/** atol(3) as rpm applies it to an epoch: the leading digits, 0 when there are none. */
function epochValue(epoch: string): number {
  return Number(/^\s*[+-]?\d+/.exec(epoch)?.[0] ?? 0);
}

export function formatEvr(evr: Evr): string {
  const epoch = evr.epoch !== undefined && evr.epoch !== '' && evr.epoch !== '0' ? `${evr.epoch}:` : '';
  return `${epoch}${evr.version ?? ''}${evr.release === undefined ? '' : `-${evr.release}`}`;
}
