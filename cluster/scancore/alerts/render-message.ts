/**
 * Renders templates from the catalogues (message-catalogue.ts): the recipient's language first,
 * then English; a key no catalogue holds renders as the key itself with its variables, so a
 * missing template is seen in the e-mail (and in tests) instead of a blank.
 */
import { catalogues as shipped, english, type Catalogue } from './message-catalogue.js';

export type Variables = Readonly<Record<string, unknown>>;

export interface Renderer {
  text(language: string, key: string, variables?: Variables): string;
  /** Whether `language` has its own template for `key` (English counts for every language). */
  has(language: string, key: string): boolean;
}

export function renderer(catalogues: Readonly<Record<string, Catalogue>> = shipped): Renderer {
  const template = (language: string, key: string): string | undefined => catalogues[language]?.[key] ?? catalogues[baseLanguage(language)]?.[key] ?? (catalogues.en ?? english)[key];
  return {
    text(language, key, variables = {}) {
      const t = template(language, key);
      if (t === undefined) {
        const vars = Object.entries(variables).map(([k, v]) => `${k}=${show(v)}`);
        return vars.length === 0 ? `[${key}]` : `[${key}: ${vars.join(', ')}]`;
      }
      return fill(t, variables);
    },
    has: (language, key) => template(language, key) !== undefined,
  };
}

/** Replaces each `{name}` with its variable; a variable not given stays as `{name}`. */
export function fill(template: string, variables: Variables): string {
  return template.replace(/\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (whole, name: string) => (Object.hasOwn(variables, name) ? show(variables[name]) : whole));
}

function baseLanguage(tag: string): string {
  return tag.split('-')[0]!;
}

function show(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  return JSON.stringify(value) ?? String(value);
}
