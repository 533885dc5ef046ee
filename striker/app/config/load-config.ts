/**
 * Loads the configuration: defaults ← YAML file ← STRIKER_* environment, validated against the one
 * schema. Environment keys nest with `__` and are snake case: STRIKER_HTTP__PORT=8081 sets
 * `http.port`, STRIKER_DATA_DIR sets `dataDir`. Values are read as YAML scalars (numbers, booleans,
 * `[a, b]` lists). Any problem anywhere → ConfigError listing every one of them.
 */
import { readFileSync } from 'node:fs';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import { ConfigError, type Problem } from '../../core/errors/index.js';
import { problemsFromZod } from '../../core/validation/zod-problems.js';
import { configSchema, type StrikerConfig } from './schema.js';
import { crossCheckConfig } from './cross-checks.js';

/** Environment variables that are not settings. */
const NOT_SETTINGS = new Set(['STRIKER_CONFIG']);

export interface ConfigSources {
  /** Path of the YAML file, or undefined for none. */
  file?: string;
  env: Record<string, string | undefined>;
}

export function loadConfig(sources: ConfigSources): Readonly<StrikerConfig> {
  const problems: Problem[] = [];
  let fromFile: unknown = {};
  if (sources.file !== undefined) {
    fromFile = readYaml(sources.file, problems);
  }
  const fromEnv = settingsFromEnv(sources.env, problems);
  const merged = deepMerge(isRecord(fromFile) ? fromFile : {}, fromEnv);
  if (!isRecord(fromFile) && fromFile !== null && fromFile !== undefined) {
    problems.push({ path: '', message: `${sources.file} must hold a YAML mapping — got ${typeof fromFile}` });
  }
  const result = configSchema.safeParse(merged);
  if (!result.success) problems.push(...problemsFromZod(result.error, merged));
  else problems.push(...crossCheckConfig(result.data));
  if (problems.length > 0 || !result.success) {
    throw new ConfigError(problems, sources.file === undefined ? 'configuration' : `configuration (${sources.file} and STRIKER_* environment)`);
  }
  return deepFreeze(result.data);
}

function readYaml(file: string, problems: Problem[]): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    problems.push({ path: '', message: `cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}` });
    return {};
  }
  try {
    return parseYaml(text, { prettyErrors: true, maxAliasCount: 100 }) ?? {};
  } catch (error) {
    const where = error instanceof YAMLParseError && error.linePos ? ` (line ${error.linePos[0].line})` : '';
    problems.push({ path: '', message: `${file} is not valid YAML${where}: ${(error as Error).message.split('\n')[0]}` });
    return {};
  }
}

export function settingsFromEnv(env: Record<string, string | undefined>, problems: Problem[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, raw] of Object.entries(env)) {
    if (!name.startsWith('STRIKER_') || NOT_SETTINGS.has(name) || raw === undefined) continue;
    const segments = name.slice('STRIKER_'.length).split('__').map(snakeToCamel);
    if (segments.some((s) => s === '')) {
      problems.push({ path: name, message: 'is not a valid STRIKER_* setting name' });
      continue;
    }
    let value: unknown;
    try {
      value = parseYaml(raw);
    } catch {
      value = raw;
    }
    let cur = out;
    for (const seg of segments.slice(0, -1)) {
      const next = cur[seg];
      cur = isRecord(next) ? next : (cur[seg] = {});
    }
    cur[segments[segments.length - 1]!] = value;
  }
  return out;
}

function snakeToCamel(segment: string): string {
  return segment.toLowerCase().replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function deepMerge(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(over)) {
    const prior = out[key];
    out[key] = isRecord(prior) && isRecord(value) ? deepMerge(prior, value) : value;
  }
  return out;
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object') {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}
