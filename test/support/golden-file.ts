/**
 * Golden files: reviewed text a test's output must equal byte for byte. The file is only ever
 * written when the test runs with `UPDATE_GOLDEN=1`; without it a missing golden fails the test
 * (a test that writes its own expectation would pass on anything). A person reviews a rewritten
 * golden (`git diff`) before it is committed.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/** True when the run was asked to rewrite goldens (`UPDATE_GOLDEN=1`). */
export function updatingGoldens(): boolean {
  return process.env['UPDATE_GOLDEN'] === '1';
}

/**
 * The golden text at `path` to compare `actual` with; with `UPDATE_GOLDEN=1`, `actual` is
 * written there first. Throws when the file does not exist and the run is not updating.
 */
export function readGolden(path: string, actual: string): string {
  if (updatingGoldens()) {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, actual);
  } else if (!existsSync(path)) {
    throw new Error(`golden file ${path} is missing: run the test with UPDATE_GOLDEN=1 to write it, then review and commit it`);
  }
  return readFileSync(path, 'utf8');
}
