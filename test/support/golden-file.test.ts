import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { readGolden } from './golden-file.js';

const dir = mkdtempSync(join(tmpdir(), 'striker-golden-'));

afterEach(() => vi.unstubAllEnvs());

describe('readGolden', () => {
  it('fails on a missing golden and writes nothing, unless UPDATE_GOLDEN=1', () => {
    vi.stubEnv('UPDATE_GOLDEN', '');
    const path = join(dir, 'missing.txt');
    expect(() => readGolden(path, 'text')).toThrow(`golden file ${path} is missing: run the test with UPDATE_GOLDEN=1`);
    expect(existsSync(path)).toBe(false);
    vi.stubEnv('UPDATE_GOLDEN', 'true');
    expect(() => readGolden(path, 'text')).toThrow('is missing');
    expect(existsSync(path)).toBe(false);
  });

  it('returns the stored text, not the actual one, so a difference fails the comparison', () => {
    vi.stubEnv('UPDATE_GOLDEN', '');
    const path = join(dir, 'stored.txt');
    writeFileSync(path, 'reviewed\n');
    expect(readGolden(path, 'changed\n')).toBe('reviewed\n');
    expect(readFileSync(path, 'utf8')).toBe('reviewed\n');
  });

  it('with UPDATE_GOLDEN=1 writes the actual text (and its directory) first', () => {
    vi.stubEnv('UPDATE_GOLDEN', '1');
    const path = join(dir, 'new', 'dump.txt');
    expect(readGolden(path, 'fresh\n')).toBe('fresh\n');
    expect(readFileSync(path, 'utf8')).toBe('fresh\n');
  });
});
