/**
 * The resolver's metadata read from a local repo directory goes through repo-sync's metadata
 * module: compression found from magic bytes (here bzip2 and xz, with names that do not say so),
 * primary and comps parsed by the same readers sync uses.
 */
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCommand } from '../striker/core/command/run-command.js';
import { checkWithResolver, readRepoSnapshot } from './package-check.js';

let work: string;
const fixtures = new URL('../test/fixtures/repo/', import.meta.url);

/** Writes `repodata/<name>` compressed with `tool` (kept without a suffix) and returns its repomd record. */
async function metadataFile(dir: string, type: string, name: string, text: Buffer, tool: 'bzip2' | 'xz'): Promise<string> {
  const plain = join(dir, 'repodata', `${name}.plain`);
  await writeFile(plain, text);
  await runCommand([tool, '-z', '-k', '-f', plain], { timeoutMs: 30_000 });
  const packed = await readFile(`${plain}.${tool === 'xz' ? 'xz' : 'bz2'}`);
  await writeFile(join(dir, 'repodata', name), packed);
  const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
  return `<data type="${type}"><checksum type="sha256">${sha(packed)}</checksum><open-checksum type="sha256">${sha(text)}</open-checksum>`
    + `<location href="repodata/${name}"/><size>${packed.length}</size></data>`;
}

async function repo(name: string, primary: Buffer): Promise<string> {
  const dir = join(work, name);
  await mkdir(join(dir, 'repodata'), { recursive: true });
  const records = [
    await metadataFile(dir, 'primary', 'p1', primary, 'bzip2'),
    await metadataFile(dir, 'group', 'c1', await readFile(new URL('comps-core.xml', fixtures)), 'xz'),
  ];
  await writeFile(join(dir, 'repodata', 'repomd.xml'), `<?xml version="1.0"?><repomd xmlns="http://linux.duke.edu/metadata/repo"><revision>1</revision>${records.join('')}</repomd>`);
  return dir;
}

beforeAll(async () => { work = await mkdtemp(join(tmpdir(), 'striker-ks-snapshot-')); });
afterAll(async () => { await rm(work, { recursive: true, force: true }); });

describe('readRepoSnapshot', () => {
  it('reads bzip2 primary and xz comps found by their magic bytes', async () => {
    const dir = await repo('good', await readFile(new URL('primary-deps.xml', fixtures)));
    const snapshot = await readRepoSnapshot(runCommand, [dir], { scratchDir: work });
    expect(snapshot.packages.map((p) => p.name)).toEqual(['alpha', 'beta', 'gamma', 'src-only']);
    expect(snapshot.packages[0]?.files).toEqual(['/usr/bin/alpha']);
    expect(snapshot.groups).toEqual([{ id: 'core', packages: ['alpha', 'gamma'] }]);
    expect(await checkWithResolver(runCommand, [{ id: 'good', url: `file://${dir}`, dir }], { packages: ['gamma'], groups: ['core'], excludes: [] }))
      .toEqual({ ok: true, engine: 'resolver', problems: [] });
  });

  it('refuses a cut-off primary with an error naming the file', async () => {
    const whole = await readFile(new URL('primary-deps.xml', fixtures));
    const dir = await repo('cut', whole.subarray(0, 700));
    await expect(readRepoSnapshot(runCommand, [dir], { scratchDir: work })).rejects.toThrow(/\/cut\/repodata\/p1 at offset \d+: not well-formed XML: unclosed tag/);
  });
});
