/**
 * A linter for kickstart files against the RHEL 9 grammar in kickstart-grammar.ts: unknown,
 * removed and deprecated commands and options, option values by type, positional arguments, the
 * rules between options, repeated commands, section structure (%packages/%pre/%post … %end), the
 * storage references between part, raid, volgroup and logvol, and duplicate mount points.
 * Options are read like pykickstart's argparse parser does (`--opt=value` or `--opt value`, a
 * unique prefix of a long option stands for it). Lines are split like pykickstart does (shlex:
 * quotes, backslashes, `#` comments). Every finding carries its severity, 1-based line number and
 * command. Pure: text in, findings out.
 */
import { checkValue } from './grammar/value-types.js';
import { commandSpecs, sectionSpecs, type CommandRule, type CommandSpec, type OptionSpec, type SectionSpec } from './kickstart-grammar.js';

export interface LintProblem {
  line: number;
  severity: 'error' | 'warning';
  /** The command or section the finding is about (e.g. `raid`, `%packages`). */
  command: string;
  message: string;
}

export interface LintOptions {
  /** A fragment (e.g. /tmp/part-include) need not contain url, rootpw or %packages. */
  fragment?: boolean;
}

export interface LintResult {
  /** True when there is no error (warnings allowed). */
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

type Report = (severity: LintProblem['severity'], message: string) => void;

interface ParsedLine {
  present: Map<string, string | true>;
  args: string[];
}

/** argparse treats a word as an option when it starts with '-' and is not a negative number. */
function looksLikeOption(word: string): boolean {
  return word.length > 1 && word.startsWith('-') && !/^-\d+(\.\d+)?$/.test(word);
}

/** The option `name` names: itself, or the one live option it is a unique prefix of (argparse allow_abbrev). */
function resolveOption(name: string, options: Readonly<Record<string, OptionSpec>>): { name: string; spec: OptionSpec } | 'ambiguous' | undefined {
  const exact = options[name];
  if (exact !== undefined) return { name, spec: exact };
  if (!name.startsWith('--') || name.length < 3) return undefined;
  const matches = Object.keys(options).filter((o) => o.startsWith(name) && options[o]?.removed === undefined);
  if (matches.length > 1) return 'ambiguous';
  const only = matches[0];
  return only === undefined ? undefined : { name: only, spec: options[only] as OptionSpec };
}

function parseWords(words: readonly string[], options: Readonly<Record<string, OptionSpec>>, freeForm: boolean, report: Report): ParsedLine {
  const present = new Map<string, string | true>();
  const args: string[] = [];
  for (let i = 0; i < words.length; i++) {
    const word = words[i] as string;
    if (freeForm || !looksLikeOption(word)) { args.push(word); continue; }
    const eq = word.indexOf('=');
    const written = eq === -1 ? word : word.slice(0, eq);
    const resolved = resolveOption(written, options);
    if (resolved === 'ambiguous') { report('error', `option ${written} is ambiguous`); continue; }
    if (resolved === undefined) { report('error', `unknown option ${written}`); continue; }
    const { name, spec } = resolved;
    if (spec.removed !== undefined) { report('error', spec.removed); continue; }
    if (spec.deprecated !== undefined) report('warning', spec.deprecated);
    if (spec.value === undefined) {
      if (eq !== -1) report('error', `option ${name} takes no value, got '${word.slice(eq + 1)}'`);
      present.set(name, true);
      continue;
    }
    let value: string | undefined = eq === -1 ? undefined : word.slice(eq + 1);
    if (value === undefined) {
      const next = words[i + 1];
      if (next !== undefined && !looksLikeOption(next)) { value = next; i++; }
    }
    if (value === undefined || value === '') {
      report('error', `option ${name} needs a value${spec.value.kind === 'string' ? '' : ` (${checkValue(spec.value, '') ?? 'a value'})`}`);
      continue;
    }
    const expected = checkValue(spec.value, value);
    if (expected !== undefined) report('error', `option ${name} expects ${expected}, got '${value}'`);
    // Kept even when malformed, so that the rules below do not also report it as missing.
    present.set(name, value);
  }
  return { present, args };
}

const has = (parsed: ParsedLine, options: readonly string[] | undefined): boolean => (options ?? []).some((o) => parsed.present.has(o));

function checkRule(rule: CommandRule, parsed: ParsedLine, report: Report): void {
  switch (rule.kind) {
    case 'atLeastOne':
      if (!has(parsed, rule.options) && !has(parsed, rule.unless)) report('error', rule.message);
      return;
    case 'atMostOne':
      if (rule.options.filter((o) => parsed.present.has(o)).length > 1) report('error', rule.message);
      return;
    case 'needs':
      if (parsed.present.has(rule.option) && !rule.needs.every((o) => parsed.present.has(o))) report('error', rule.message);
      return;
    case 'argsAtLeast':
      if (parsed.args.length < rule.min && !has(parsed, rule.unless)) report('error', rule.message);
      return;
    case 'argsAtMost':
      if (parsed.args.length > rule.max && has(parsed, rule.when)) report('error', rule.message);
      return;
    case 'notEmpty':
      if (parsed.args.length === 0 && parsed.present.size === 0) report('error', rule.message);
      return;
    case 'forbidValue': {
      const value = parsed.present.get(rule.option);
      if (typeof value === 'string' && rule.values.includes(value.toLowerCase())) report('error', `option ${rule.option}=${value}: ${rule.message}`);
    }
  }
}

function checkArgs(spec: CommandSpec | SectionSpec, parsed: ParsedLine, report: Report): void {
  const [min, max] = spec.args;
  const n = parsed.args.length;
  if (n >= min && (max === undefined || n <= max)) return;
  const what = 'argsName' in spec && spec.argsName !== undefined ? ` (${spec.argsName})` : '';
  if (max === 0) { report('error', `takes no arguments, got ${parsed.args.map((a) => `'${a}'`).join(' ')}`); return; }
  const want = max === undefined ? `at least ${min}` : min === max ? `${min}` : `${min} to ${max}`;
  report('error', `expects ${want} argument(s)${what}, got ${n}`);
}

/** Python's os.path.normpath for absolute mount points, as pykickstart's `mountpoint` type applies it. */
function normalizeMountPoint(path: string): string {
  const out: string[] = [];
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') out.pop();
    else out.push(part);
  }
  return `/${out.join('/')}`;
}

/** What the storage commands and `repo` define and use, checked once the whole file is read. */
interface StorageState {
  members: Map<string, number>;
  vgs: Map<string, number>;
  mountPoints: Map<string, { line: number; command: string }>;
  partNames: Map<string, number>;
  raidDevices: Map<string, number>;
  logvols: Map<string, number>;
  repos: Map<string, number>;
  uses: { name: string; line: number; command: string; what: string }[];
  vgUses: { name: string; line: number }[];
}

/** Records `key` as defined at `line`; a second definition gets pykickstart's duplicate warning. */
function defineOnce(defined: Map<string, number>, key: string, line: number, warning: string, report: Report): void {
  if (defined.has(key)) report('warning', warning);
  else defined.set(key, line);
}

function collectStorage(command: string, parsed: ParsedLine, line: number, state: StorageState, report: Report): void {
  const [first, ...rest] = parsed.args;
  const preexisting = parsed.present.has('--useexisting') || parsed.present.has('--noformat');
  const isPart = command === 'part' || command === 'partition';
  if ((isPart || command === 'raid') && first !== undefined && /^(raid|pv)\./.test(first)) state.members.set(first, line);
  if ((isPart || command === 'raid' || command === 'logvol') && first?.startsWith('/') === true) {
    const mountPoint = normalizeMountPoint(first);
    const before = state.mountPoints.get(mountPoint);
    if (before !== undefined) report('error', `mount point ${mountPoint} is already used by ${before.command} at line ${before.line}: two file systems cannot be mounted at one place`);
    else state.mountPoints.set(mountPoint, { line, command });
  } else if (isPart && first !== undefined && first !== 'swap') {
    // partition.py: PartData compares by mount point; only swap may repeat without a warning.
    defineOnce(state.partNames, first, line, `A partition with the mountpoint ${first} has already been defined.`, report);
  }
  if (command === 'raid') {
    const device = parsed.present.get('--device');
    if (typeof device === 'string') {
      const md = device.startsWith('md') ? device.slice(2) : device;
      defineOnce(state.raidDevices, md, line, `A RAID device with the name ${md} has already been defined.`, report);
    }
    if (!preexisting) for (const member of rest) state.uses.push({ name: member, line, command, what: 'a part' });
  }
  if (command === 'volgroup' && first !== undefined) {
    defineOnce(state.vgs, first, line, `A volgroup with the name ${first} has already been defined.`, report);
    if (!preexisting) for (const pv of rest) state.uses.push({ name: pv, line, command, what: 'a part or raid' });
  }
  const name = parsed.present.get('--name');
  const vg = parsed.present.get('--vgname');
  if (command === 'logvol' && typeof vg === 'string') {
    state.vgUses.push({ name: vg, line });
    if (typeof name === 'string') defineOnce(state.logvols, `${vg}/${name}`, line, `A logical volume with the name ${name} has already been defined in volume group ${vg}.`, report);
  }
  if (command === 'repo' && typeof name === 'string') defineOnce(state.repos, name, line, `A repo with the name ${name} has already been defined.`, report);
}

/** A %packages line: a package or glob, @group (with --nodefaults/--optional), @^environment, @module:stream/profile, or an exclusion. */
const packageWord = /^-?(@\^?)?[A-Za-z0-9_.+*?:/[\]-]+$/;
const groupOptions = new Set(['--nodefaults', '--optional']);

function checkPackageLine(text: string, report: Report): void {
  const { words, error } = splitWords(text);
  if (error !== undefined) { report('error', error); return; }
  const [pkg, ...rest] = words;
  if (pkg === undefined) return;
  const isGroup = pkg.startsWith('@') && !pkg.startsWith('@^');
  if (!packageWord.test(pkg) || (rest.length > 0 && !(isGroup && rest.every((w) => groupOptions.has(w))))) {
    report('error', `not a package, group or exclusion: ${text}`);
  }
}

interface OpenSection {
  name: string;
  spec: SectionSpec;
  line: number;
}

export function lintKickstart(text: string, options: LintOptions = {}): LintResult {
  const problems: LintProblem[] = [];
  const seen = new Map<string, number>();
  const seenSections = new Map<string, number>();
  const state: StorageState = {
    members: new Map(), vgs: new Map(), mountPoints: new Map(), partNames: new Map(), raidDevices: new Map(),
    logvols: new Map(), repos: new Map(), uses: [], vgUses: [],
  };
  const reporter = (line: number, command: string): Report => (severity, message) => {
    problems.push({ line, severity, command, message: `${command}: ${message}` });
  };
  let section: OpenSection | undefined;
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();

  const openSection = (name: string, spec: SectionSpec, words: readonly string[], line: number): void => {
    const report = reporter(line, name);
    const parsed = parseWords(words, spec.options, spec.kind === 'addon', report);
    checkArgs(spec, parsed, report);
    if (spec.deprecated !== undefined) report('warning', spec.deprecated);
    const before = seenSections.get(name);
    if (spec.once === true && before !== undefined) report('error', `section given more than once (first at line ${before})`);
    if (before === undefined) seenSections.set(name, line);
    section = { name, spec, line };
  };

  lines.forEach((raw, index) => {
    const line = index + 1;
    const trimmed = raw.trim();
    const head = trimmed.split(/\s+/, 1)[0] ?? '';
    if (section !== undefined) {
      if (head === '%end') { section = undefined; return; }
      if (head in sectionSpecs) {
        reporter(section.line, section.name)('error', `Section ${section.name} does not end with %end (${head} starts at line ${line})`);
        section = undefined;
      } else {
        if (section.spec.kind === 'packages' && trimmed !== '' && !trimmed.startsWith('#')) checkPackageLine(trimmed, reporter(line, '%packages'));
        return;
      }
    }
    if (trimmed === '' || trimmed.startsWith('#')) return;
    const split = splitWords(trimmed);
    const [name, ...rest] = split.words;
    if (split.error !== undefined) { reporter(line, name ?? trimmed.slice(0, 20))('error', split.error); return; }
    if (name === undefined) return;
    if (name === '%end') { reporter(line, name)('error', 'without an open section'); return; }
    const sectionSpec = sectionSpecs[name];
    if (sectionSpec !== undefined) { openSection(name, sectionSpec, rest, line); return; }
    const report = reporter(line, name);
    const spec = commandSpecs[name];
    if (spec === undefined) { report('error', name.startsWith('%') ? 'unknown section' : 'unknown command'); return; }
    if (spec.removed !== undefined) { report('error', spec.removed); return; }
    if (spec.deprecated !== undefined) report('warning', spec.deprecated);
    const parsed = parseWords(rest, spec.options, spec.freeForm === true, report);
    checkArgs(spec, parsed, report);
    for (const req of spec.required ?? []) if (!parsed.present.has(req)) report('error', `option ${req} is required`);
    for (const rule of spec.rules ?? []) checkRule(rule, parsed, report);
    const before = seen.get(name);
    if (spec.repeatable !== true && before !== undefined) report('warning', `given more than once (first at line ${before}): only the last one counts`);
    if (before === undefined) seen.set(name, line);
    collectStorage(name, parsed, line, state, report);
  });

  const openAtEnd = section as OpenSection | undefined;
  if (openAtEnd !== undefined) reporter(openAtEnd.line, openAtEnd.name)('error', `Section ${openAtEnd.name} does not end with %end`);
  for (const [name, line] of seen) {
    for (const other of commandSpecs[name]?.conflicts ?? []) {
      const otherLine = seen.get(other);
      if (otherLine !== undefined && otherLine < line) reporter(line, name)('error', `The ${name} and ${other} commands can't be used at the same time (${other} at line ${otherLine})`);
    }
  }
  for (const use of state.uses) {
    if (!state.members.has(use.name)) reporter(use.line, use.command)('error', `${use.name} is not defined by ${use.what} command`);
  }
  for (const use of state.vgUses) {
    if (!state.vgs.has(use.name)) reporter(use.line, 'logvol')('error', `volume group ${use.name} is not defined by volgroup`);
  }
  if (options.fragment !== true) {
    for (const required of ['url', 'lang', 'rootpw']) {
      if (!seen.has(required)) problems.push({ line: 0, severity: 'error', command: required, message: `missing required command ${required}` });
    }
    if (!seenSections.has('%packages')) problems.push({ line: 0, severity: 'error', command: '%packages', message: 'missing %packages section' });
  }
  problems.sort((a, b) => a.line - b.line);
  return { ok: !problems.some((p) => p.severity === 'error'), problems };
}
