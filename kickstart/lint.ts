/**
 * A linter for kickstart files against kickstart-grammar.ts: unknown commands and options,
 * missing option values, positional argument counts, repeated single-use commands, section
 * structure (%packages/%pre/%post … %end) and the storage references between part, raid,
 * volgroup and logvol. Every problem carries its 1-based line number. Pure: text in, problems out.
 * Lines are split like pykickstart does (shlex: quotes, backslashes, `#` comments).
 */
import { commandSpecs, sectionSpecs, type CommandSpec, type OptionKind } from './kickstart-grammar.js';

export interface LintProblem {
  line: number;
  severity: 'error' | 'warning';
  message: string;
}

export interface LintOptions {
  /** A fragment (e.g. /tmp/part-include) need not contain url, rootpw or %packages. */
  fragment?: boolean;
}

export interface LintResult {
  ok: boolean;
  problems: LintProblem[];
}

/** Splits a line into words like Python's shlex.split(line, comments=True). */
export function splitWords(text: string): { words: string[]; error?: string } {
  const words: string[] = [];
  let cur = '';
  let inWord = false;
  let quote: '"' | "'" | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (quote !== undefined) {
      if (c === quote) quote = undefined;
      else if (c === '\\' && quote === '"' && i + 1 < text.length) cur += text[++i];
      else cur += c;
      continue;
    }
    if (c === "'" || c === '"') { quote = c; inWord = true; continue; }
    if (c === '\\' && i + 1 < text.length) { cur += text[++i]; inWord = true; continue; }
    if (c === ' ' || c === '\t') {
      if (inWord) words.push(cur);
      cur = '';
      inWord = false;
      continue;
    }
    if (c === '#' && !inWord) break;
    cur += c;
    inWord = true;
  }
  if (quote !== undefined) return { words, error: `unterminated ${quote} quote` };
  if (inWord) words.push(cur);
  return { words };
}

interface ParsedOptions {
  present: Map<string, string | true>;
  args: string[];
}

function parseOptions(words: readonly string[], spec: Readonly<Record<string, OptionKind>>, where: string, line: number, problems: LintProblem[]): ParsedOptions {
  const present = new Map<string, string | true>();
  const args: string[] = [];
  for (let i = 0; i < words.length; i++) {
    const word = words[i] as string;
    if (!word.startsWith('--')) { args.push(word); continue; }
    const eq = word.indexOf('=');
    const name = eq === -1 ? word : word.slice(0, eq);
    const kind = spec[name];
    if (kind === undefined) { problems.push({ line, severity: 'error', message: `${where}: unknown option ${name}` }); continue; }
    if (kind === 'flag') {
      if (eq !== -1) problems.push({ line, severity: 'error', message: `${where}: option ${name} takes no value` });
      present.set(name, true);
      continue;
    }
    let value: string | undefined = eq === -1 ? undefined : word.slice(eq + 1);
    if (value === undefined) {
      const next = words[i + 1];
      if (next !== undefined && !next.startsWith('--')) { value = next; i++; }
    }
    if (value === undefined || value === '') { problems.push({ line, severity: 'error', message: `${where}: option ${name} needs a value` }); continue; }
    present.set(name, value);
  }
  return { present, args };
}

function checkCommand(name: string, spec: CommandSpec, parsed: ParsedOptions, line: number, problems: LintProblem[]): void {
  const [min, max] = spec.args;
  const n = parsed.args.length;
  if (n < min || (max !== undefined && n > max)) {
    const want = max === undefined ? `at least ${min}` : min === max ? `${min}` : `${min}–${max}`;
    problems.push({ line, severity: 'error', message: `${name}: expects ${want} argument(s), got ${n}` });
  }
  for (const req of spec.required ?? []) {
    if (!parsed.present.has(req)) problems.push({ line, severity: 'error', message: `${name}: option ${req} is required` });
  }
  if (spec.oneOf !== undefined && !spec.oneOf.some((o) => parsed.present.has(o))) {
    problems.push({ line, severity: 'error', message: `${name}: needs one of ${spec.oneOf.join(', ')}` });
  }
  for (const [opt, advice] of Object.entries(spec.deprecated ?? {})) {
    if (parsed.present.has(opt)) problems.push({ line, severity: 'warning', message: `${name}: option ${opt} is deprecated, ${advice}` });
  }
}

/** Storage names defined and used, to check references once the whole file is read. */
interface StorageRefs {
  defined: Map<string, number>;
  vgs: Map<string, number>;
  uses: { name: string; line: number; by: string }[];
  vgUses: { name: string; line: number }[];
}

function collectStorage(cmd: string, parsed: ParsedOptions, line: number, refs: StorageRefs): void {
  const [first, ...rest] = parsed.args;
  if ((cmd === 'part' || cmd === 'partition' || cmd === 'raid') && first !== undefined && /^(raid|pv)\./.test(first)) refs.defined.set(first, line);
  if (cmd === 'raid') for (const m of rest) refs.uses.push({ name: m, line, by: 'raid' });
  if (cmd === 'volgroup' && first !== undefined) {
    refs.vgs.set(first, line);
    if (!parsed.present.has('--useexisting')) for (const pv of rest) refs.uses.push({ name: pv, line, by: 'volgroup' });
  }
  const vg = parsed.present.get('--vgname');
  if (cmd === 'logvol' && typeof vg === 'string') refs.vgUses.push({ name: vg, line });
}

const packageLine = /^-?(@\^?)?[A-Za-z0-9_.+*?:-]+$/;

export function lintKickstart(text: string, options: LintOptions = {}): LintResult {
  const problems: LintProblem[] = [];
  const seen = new Map<string, number>();
  const refs: StorageRefs = { defined: new Map(), vgs: new Map(), uses: [], vgUses: [] };
  let section: { name: string; kind: 'packages' | 'script'; line: number } | undefined;
  let sawPackages = false;
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  lines.forEach((raw, index) => {
    const line = index + 1;
    const trimmed = raw.trim();
    const head = trimmed.split(/\s+/, 1)[0] ?? '';
    if (section !== undefined) {
      if (head === '%end') { section = undefined; return; }
      if (head in sectionSpecs) {
        problems.push({ line, severity: 'error', message: `${head} starts before ${section.name} (line ${section.line}) is closed with %end` });
        section = undefined;
      } else {
        if (section.kind === 'packages' && trimmed !== '' && !trimmed.startsWith('#')) {
          const word = splitWords(trimmed).words;
          const pkg = word[0] ?? '';
          if (!packageLine.test(pkg) || (word.length > 1 && !pkg.startsWith('@'))) {
            problems.push({ line, severity: 'error', message: `%packages: not a package, group or exclusion: ${trimmed}` });
          }
        }
        return;
      }
    }
    if (trimmed === '' || trimmed.startsWith('#')) return;
    const split = splitWords(trimmed);
    if (split.error !== undefined) { problems.push({ line, severity: 'error', message: split.error }); return; }
    const [name, ...rest] = split.words;
    if (name === undefined) return;
    if (name === '%end') { problems.push({ line, severity: 'error', message: '%end without an open section' }); return; }
    const sectionSpec = sectionSpecs[name];
    if (sectionSpec !== undefined) {
      parseOptions(rest, sectionSpec.options, name, line, problems);
      section = { name, kind: sectionSpec.kind, line };
      if (sectionSpec.kind === 'packages') {
        if (sawPackages) problems.push({ line, severity: 'error', message: '%packages given more than once' });
        sawPackages = true;
      }
      return;
    }
    if (name.startsWith('%') && !(name in commandSpecs)) { problems.push({ line, severity: 'error', message: `unknown section ${name}` }); return; }
    const spec = commandSpecs[name];
    if (spec === undefined) { problems.push({ line, severity: 'error', message: `unknown command ${name}` }); return; }
    const parsed = parseOptions(rest, spec.options, name, line, problems);
    checkCommand(name, spec, parsed, line, problems);
    if (!spec.repeatable) {
      const before = seen.get(name);
      if (before !== undefined) problems.push({ line, severity: 'error', message: `${name} given more than once (first at line ${before})` });
    }
    if (!seen.has(name)) seen.set(name, line);
    collectStorage(name, parsed, line, refs);
  });
  if (section !== undefined) {
    problems.push({ line: section.line, severity: 'error', message: `${section.name} is not closed with %end` });
  }
  for (const use of refs.uses) {
    if (!refs.defined.has(use.name)) problems.push({ line: use.line, severity: 'error', message: `${use.by}: ${use.name} is not defined by a part or raid command` });
  }
  for (const use of refs.vgUses) {
    if (!refs.vgs.has(use.name)) problems.push({ line: use.line, severity: 'error', message: `logvol: volume group ${use.name} is not defined by volgroup` });
  }
  if (options.fragment !== true) {
    for (const required of ['url', 'lang', 'rootpw']) {
      if (!seen.has(required)) problems.push({ line: 0, severity: 'error', message: `missing required command ${required}` });
    }
    if (!sawPackages) problems.push({ line: 0, severity: 'error', message: 'missing %packages section' });
  }
  problems.sort((a, b) => a.line - b.line);
  return { ok: !problems.some((p) => p.severity === 'error'), problems };
}
