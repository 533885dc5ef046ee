/**
 * The layering rules in .dependency-cruiser.cjs, run by dependency-cruiser itself: the real tree
 * has no violation, and each kind of backward import, written into a scratch tree shaped like
 * the project, is refused by the rule that names it.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = resolve(import.meta.dirname, '../..');
const rules = join(root, '.dependency-cruiser.cjs');
const depcruise = join(root, 'node_modules/.bin/depcruise');
const sourceDirs = ['striker', 'pxe', 'kickstart', 'repo-sync', 'cluster'];

async function cruise(cwd: string, dirs: string[]): Promise<{ code: number; output: string }> {
  try {
    const { stdout } = await run(depcruise, ['--config', rules, '--output-type', 'err', ...dirs], { cwd });
    return { code: 0, output: stdout };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? -1, output: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}

const scratch: string[] = [];
afterAll(() => {
  for (const dir of scratch) rmSync(dir, { recursive: true, force: true });
});

/** A scratch project: each file's content is written as given; tsconfig as the real one resolves. */
function tree(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'striker-layers-'));
  scratch.push(dir);
  writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext', allowImportingTsExtensions: false } }));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

describe('layering rules', () => {
  it('the project as it is has no violation', async () => {
    const result = await cruise(root, sourceDirs);
    expect(result.output).toContain('no dependency violations found');
    expect(result.code).toBe(0);
  });

  it.each([
    ['ground-imports-nothing', { 'striker/core/errors/e.ts': "import { x } from '../../db/d.js';\nexport const e = x;\n", 'striker/db/d.ts': 'export const x = 1;\n' }],
    ['platform-imports-ground-only', { 'striker/jobs/j.ts': "import { m } from '../machines/index.js';\nexport const j = m;\n", 'striker/machines/index.ts': 'export const m = 1;\n' }],
    ['nothing-imports-app', { 'pxe/p.ts': "import { a } from '../striker/app/serve.js';\nexport const p = a;\n", 'striker/app/serve.ts': 'export const a = 1;\n' }],
    ['area-through-index', { 'kickstart/k.ts': "import { r } from '../repo-sync/metadata/r.js';\nexport const k = r;\n", 'repo-sync/metadata/r.ts': 'export const r = 1;\n' }],
    ['area-lifecycle-order', { 'pxe/p.ts': "import { k } from '../kickstart/index.js';\nexport const p = k;\n", 'kickstart/index.ts': 'export const k = 1;\n' }],
    ['shipped-code-imports-no-tests', { 'pxe/p.ts': "import { t } from '../test/support/t.js';\nexport const p = t;\n", 'test/support/t.ts': 'export const t = 1;\n' }],
    ['no-circular', { 'pxe/a.ts': "import { b } from './b.js';\nexport const a = () => b;\n", 'pxe/b.ts': "import { a } from './a.js';\nexport const b = () => a;\n" }],
  ])('refuses %s', async (rule, files) => {
    const dir = tree(files);
    const result = await cruise(dir, [...new Set(Object.keys(files).map((f) => f.split('/')[0]!))]);
    expect(result.code).not.toBe(0);
    expect(result.output).toContain(`error ${rule}:`);
  });

  it('allows what the layers allow: an area using an earlier area through its index, the app using anything', async () => {
    const dir = tree({
      'striker/core/errors/e.ts': 'export const e = 1;\n',
      'repo-sync/index.ts': "import { e } from '../striker/core/errors/e.js';\nexport const r = e;\n",
      'kickstart/k.ts': "import { r } from '../repo-sync/index.js';\nexport const k = r;\n",
      'striker/app/main.ts': "import { k } from '../../kickstart/k.js';\nexport const m = k;\n",
    });
    const result = await cruise(dir, ['striker', 'repo-sync', 'kickstart']);
    expect(result.output).toContain('no dependency violations found');
    expect(result.code).toBe(0);
  });
});
