import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { errorCodes } from './codes.js';

describe('error codes', () => {
  it('are all documented in README.md with their status', () => {
    const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
    const table = readme.split('<!-- error-codes:start -->')[1]!.split('<!-- error-codes:end -->')[0]!;
    const rows = [...table.matchAll(/^\| `([A-Z_]+)` \| (\d{3}) \|/gm)].map((m) => [m[1], Number(m[2])]);
    expect(rows).toEqual(Object.entries(errorCodes).map(([code, { status }]) => [code, status]));
  });
});
