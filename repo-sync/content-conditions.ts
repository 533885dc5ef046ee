/**
 * What a GET or HEAD of a served file answers, given its validators and the request's
 * conditional and Range headers: RFC 9110 §13.2.2 (order of evaluation of preconditions) and
 * §14 (byte ranges). Pure: headers in, an answer out.
 *
 * Entity tags are compared by their opaque tag (the `W/` prefix ignored) for If-Match,
 * If-None-Match and If-Range. Our tags are weak (`W/"<size>-<mtime>"`), and a file in a published
 * snapshot or tree never changes in place, so a tag names exactly one sequence of bytes; strong
 * comparison would make If-Match and If-Range with our own tags always fail.
 */

/** The validators of the selected representation (RFC 9110 §8.8). */
export interface Validators {
  readonly size: number;
  readonly etag: string;
  /** Modification time in ms; Last-Modified carries it to the second. */
  readonly mtimeMs: number;
}

/** The request headers that matter here (lower-case names, as node gives them). */
export interface ConditionalHeaders {
  readonly 'if-match'?: string | undefined;
  readonly 'if-none-match'?: string | undefined;
  readonly 'if-modified-since'?: string | undefined;
  readonly 'if-unmodified-since'?: string | undefined;
  readonly 'if-range'?: string | undefined;
  readonly range?: string | undefined;
}

export type ContentAnswer =
  | { readonly status: 200 }
  /** One satisfiable range, `end` inclusive. */
  | { readonly status: 206; readonly start: number; readonly end: number }
  | { readonly status: 304 }
  | { readonly status: 412 }
  /** No range satisfiable (answered with the unsatisfied-range Content-Range of §14.4). */
  | { readonly status: 416 };

/** More range specs than this in one header is abuse, not a client: the Range header is ignored. */
const maxRangeSpecs = 64;

const opaqueTag = (tag: string) => (tag.startsWith('W/') ? tag.slice(2) : tag);

/** The entity-tags of an If-Match / If-None-Match list; `*` as itself. */
function tagsOf(value: string): string[] {
  if (value.trim() === '*') return ['*'];
  return [...value.matchAll(/(?:W\/)?"[\x21\x23-\x7e\x80-\xff]*"/g)].map((m) => m[0]);
}

function anyTagMatches(value: string, etag: string): boolean {
  const ours = opaqueTag(etag);
  return tagsOf(value).some((t) => t === '*' || opaqueTag(t) === ours);
}

/** An HTTP-date in ms, or undefined when it is not one (an invalid date makes the header ignored, §13.1.3–4). */
function dateOf(value: string): number | undefined {
  if (!/^[A-Za-z]{3},? /.test(value.trim())) return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : ms;
}

/** Last-Modified to the second, as the header carries it. */
const lastModifiedSeconds = (v: Validators) => Math.floor(v.mtimeMs / 1000) * 1000;

/**
 * The one range a Range header selects (§14.1.2), 'unsatisfiable', or undefined when the header is
 * to be ignored (not bytes, malformed, or several disjoint ranges: a server may answer those with
 * the whole representation, §14.2).
 */
export function selectRange(value: string, size: number): { start: number; end: number } | 'unsatisfiable' | undefined {
  const m = /^\s*bytes\s*=(.*)$/i.exec(value);
  if (m === null) return undefined;
  const specs = m[1]!.split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (specs.length === 0 || specs.length > maxRangeSpecs) return undefined;
  const ranges: { start: number; end: number }[] = [];
  for (const spec of specs) {
    const r = /^(\d*)-(\d*)$/.exec(spec);
    if (r === null || (r[1] === '' && r[2] === '')) return undefined;
    if (r[1] === '') {
      const suffix = Number(r[2]);
      if (suffix > 0 && size > 0) ranges.push({ start: Math.max(0, size - suffix), end: size - 1 });
      continue;
    }
    const first = Number(r[1]);
    const last = r[2] === '' ? Infinity : Number(r[2]);
    if (last < first) return undefined;
    if (first < size) ranges.push({ start: first, end: Math.min(last, size - 1) });
  }
  if (ranges.length === 0) return 'unsatisfiable';
  ranges.sort((a, b) => a.start - b.start);
  const merged = ranges.reduce<{ start: number; end: number }[]>((acc, r) => {
    const last = acc.at(-1);
    if (last !== undefined && r.start <= last.end + 1) last.end = Math.max(last.end, r.end);
    else acc.push({ ...r });
    return acc;
  }, []);
  return merged.length === 1 ? merged[0] : undefined;
}

/** Evaluates the preconditions and Range of a GET or HEAD in the order §13.2.2 gives. */
export function answerFor(method: string, headers: ConditionalHeaders, v: Validators): ContentAnswer {
  const ifMatch = headers['if-match'];
  if (ifMatch !== undefined) {
    if (!anyTagMatches(ifMatch, v.etag)) return { status: 412 };
  } else if (headers['if-unmodified-since'] !== undefined) {
    const date = dateOf(headers['if-unmodified-since']);
    if (date !== undefined && lastModifiedSeconds(v) > date) return { status: 412 };
  }
  const ifNoneMatch = headers['if-none-match'];
  if (ifNoneMatch !== undefined) {
    if (anyTagMatches(ifNoneMatch, v.etag)) return { status: 304 };
  } else if (headers['if-modified-since'] !== undefined) {
    const date = dateOf(headers['if-modified-since']);
    if (date !== undefined && lastModifiedSeconds(v) <= date) return { status: 304 };
  }
  // Range is defined for GET only (§14.2); If-Range makes it conditional (§13.1.5).
  const range = headers.range;
  if (method !== 'GET' || range === undefined) return { status: 200 };
  const ifRange = headers['if-range'];
  if (ifRange !== undefined) {
    const trimmed = ifRange.trim();
    const holds = trimmed.startsWith('"') || trimmed.startsWith('W/"')
      ? opaqueTag(trimmed) === opaqueTag(v.etag)
      : dateOf(trimmed) === lastModifiedSeconds(v);
    if (!holds) return { status: 200 };
  }
  const selected = selectRange(range, v.size);
  if (selected === undefined) return { status: 200 };
  if (selected === 'unsatisfiable') return { status: 416 };
  return { status: 206, ...selected };
}
