/**
 * Test helper: damages an upstream repo the way a broken or hostile mirror would, keeping
 * repomd.xml consistent so the damage is caught by the layer under test (not by an earlier
 * checksum): replace a metadata file and re-point repomd at it with its new checksum and size.
 */
import { createHash } from 'node:crypto';
import { readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';

export async function primaryXml(repoDir: string): Promise<string> {
  const name = (await readdir(join(repoDir, 'repodata'))).find((n) => n.endsWith('primary.xml.gz'));
  if (!name) throw new Error(`no primary.xml.gz in ${repoDir}`);
  return gunzipSync(await readFile(join(repoDir, 'repodata', name))).toString('utf8');
}

/** Replaces the `type` record's file with `bytes` (stored as `fileName`) and fixes repomd.xml. */
export async function replaceMetadata(repoDir: string, type: string, bytes: Buffer, fileName: string): Promise<void> {
  const repomdPath = join(repoDir, 'repodata', 'repomd.xml');
  const repomd = await readFile(repomdPath, 'utf8');
  const re = new RegExp(`(<data type="${type}">)([\\s\\S]*?)(</data>)`);
  const m = re.exec(repomd);
  if (!m) throw new Error(`no ${type} record`);
  const oldHref = /<location href="([^"]+)"/.exec(m[2]!)![1]!;
  await rm(join(repoDir, oldHref), { force: true });
  await writeFile(join(repoDir, 'repodata', fileName), bytes);
  const sha = createHash('sha256').update(bytes).digest('hex');
  const body = m[2]!
    .replace(/<checksum type="[^"]+">[^<]+<\/checksum>/, `<checksum type="sha256">${sha}</checksum>`)
    .replace(/<location href="[^"]+"/, `<location href="repodata/${fileName}"`)
    .replace(/<size>\d+<\/size>/, `<size>${bytes.length}</size>`);
  await writeFile(repomdPath, repomd.replace(re, `$1${body}$3`));
  await rm(`${repomdPath}.asc`, { force: true });
}

export async function replacePrimary(repoDir: string, xml: string): Promise<void> {
  await replaceMetadata(repoDir, 'primary', gzipSync(Buffer.from(xml)), 'primary.xml.gz');
}

/** Flips one byte in the middle of a file, keeping its size. */
export async function flipByte(path: string): Promise<void> {
  const b = await readFile(path);
  const i = Math.floor(b.length / 2);
  b[i] = b[i]! ^ 0xff;
  await writeFile(path, b);
}
