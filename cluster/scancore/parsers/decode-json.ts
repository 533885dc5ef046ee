/**
 * JSON input for the scan parsers: parse, or a DecodeError naming the tool's output and what was
 * wrong; and typed field reads that name the JSON path of a missing or mistyped field, so a
 * truncated document gives an error and never a half-filled reading.
 */
import { DecodeError } from '../../../striker/core/errors/index.js';

export function parseJsonOutput(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new DecodeError(`is not complete JSON (${(error as Error).message})`, what, 0);
  }
}

export type JsonObject = Record<string, unknown>;

export function objectAt(value: unknown, what: string, path: string): JsonObject {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new DecodeError(`${path} must be an object — got ${describe(value)}`, what, 0);
  return value as JsonObject;
}

export function arrayAt(value: unknown, what: string, path: string): unknown[] {
  if (!Array.isArray(value)) throw new DecodeError(`${path} must be a list — got ${describe(value)}`, what, 0);
  return value;
}

export function stringAt(obj: JsonObject, key: string, what: string, path: string): string {
  const v = obj[key];
  if (typeof v !== 'string') throw new DecodeError(`${path}.${key} must be a string — got ${describe(v)}`, what, 0);
  return v;
}

export function numberAt(obj: JsonObject, key: string, what: string, path: string): number {
  const v = obj[key];
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new DecodeError(`${path}.${key} must be a number — got ${describe(v)}`, what, 0);
  return v;
}

export function optionalNumberAt(obj: JsonObject, key: string, what: string, path: string): number | null {
  return obj[key] === undefined ? null : numberAt(obj, key, what, path);
}

export function optionalStringAt(obj: JsonObject, key: string, what: string, path: string): string | null {
  return obj[key] === undefined ? null : stringAt(obj, key, what, path);
}

function describe(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  return typeof v === 'string' ? `'${v.length > 40 ? `${v.slice(0, 40)}…` : v}'` : typeof v;
}
