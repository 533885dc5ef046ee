/**
 * A manifest as YAML, for import and export (`striker manifest apply|export`, the API's import and
 * export). Reading is defensive: at most MAX_MANIFEST_BYTES, one document, the YAML 1.2 core
 * schema with no custom tags (`!!js/function`, `!foo` are refused, not read as text), unique
 * keys, at most MAX_ALIASES alias expansions (a "billion laughs" document stops there) and at most
 * MAX_DEPTH levels of nesting. A malformed document is one problem naming its line and column.
 * The value read is then validated like a JSON body.
 */
import { parseDocument, stringify, YAMLError } from 'yaml';
import { ValidationError } from '../core/errors/index.js';
import type { ManifestView } from './manifest-schema.js';

export const MAX_MANIFEST_BYTES = 256 * 1024;
export const MAX_ALIASES = 100;
export const MAX_DEPTH = 32;

/** The value of a YAML manifest document, or a ValidationError with one problem saying where it is malformed. */
export function parseManifestYaml(text: string, source = 'the manifest'): unknown {
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > MAX_MANIFEST_BYTES) refuse(`${source} is ${bytes} bytes; a manifest may be at most ${MAX_MANIFEST_BYTES} bytes (256 KiB)`);
  if (text.includes('\u0000')) refuse(`${source} contains a NUL character`);
  const doc = parseDocument(text, { schema: 'core', strict: true, uniqueKeys: true, prettyErrors: true });
  const trouble = doc.errors[0] ?? doc.warnings[0];
  if (trouble !== undefined) refuse(`${source} is not valid YAML${where(trouble)}: ${firstLine(trouble.message)}`);
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: MAX_ALIASES });
  } catch (error) {
    refuse(`${source} is not usable YAML: ${firstLine((error as Error).message)} (at most ${MAX_ALIASES} alias expansions)`);
  }
  if (depthExceeds(value, MAX_DEPTH)) refuse(`${source} nests deeper than ${MAX_DEPTH} levels`);
  if (value === null || value === undefined) refuse(`${source} is empty (a manifest starts with version: 1)`);
  return value;
}

/** A stored manifest as YAML, with a header saying what it is and how its secrets read. */
export function stringifyManifestYaml(name: string, document: ManifestView): string {
  const header = [
    `# Striker install manifest ${name}.`,
    '# Secrets read { set: true } (keep the stored one); replace one with the password in quotes to change it.',
    '',
  ].join('\n');
  return `${header}${stringify(document, { lineWidth: 0, aliasDuplicateObjects: false })}`;
}

function refuse(message: string): never {
  throw new ValidationError([{ path: '', message }], 'manifest');
}

function where(error: YAMLError): string {
  const at = error.linePos?.[0];
  return at === undefined ? '' : ` (line ${at.line}, column ${at.col})`;
}

function firstLine(message: string): string {
  return message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
}

/** Whether arrays and objects in `value` nest deeper than `max` (iterative: a deep value cannot overflow the stack here). */
function depthExceeds(value: unknown, max: number): boolean {
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    if (depth >= max) return true;
    for (const child of Object.values(v)) stack.push([child, depth + 1]);
  }
  return false;
}
