/**
 * Test helper: the hostile-media corpus. The hostile entry set of `hostile-files.ts`, laid under
 * `hostile/` of an installation tree mastered with the real `xorriso -as mkisofs -R -J` (Rock
 * Ridge keeps links, FIFOs, devices and sockets), and of a repo directory made with `createrepo_c`
 * from a real tiny RPM (`rpmbuild`). The truncated metadata under `hostile/truncated/` is the first
 * half of the tree's own `.treeinfo` and `repomd.xml`.
 *
 * The repo directory's `repomd.xml` also carries what a hostile upstream can put in metadata a
 * mirror republishes as is: an XHTML script element of its own, and one extra record per active
 * document (`repodata/<name>`, with its real checksum and size), so a sync publishes them.
 *
 * Everything is made under `dir`, which the caller removes. `unsafeEntries` is an independent
 * check for tests: what in a tree is a link leaving it or anything but a file or directory.
 */
import { createHash } from 'node:crypto';
import { lstat, mkdir, readdir, readFile, realpath, writeFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { runCommand } from '../../striker/core/command/run-command.js';
import { activeDocuments, layHostileEntries, xhtmlScriptElement, type HostileOptions, type HostileSet } from './hostile-files.js';
import { buildRpms, makeUpstreamRepo } from './rpm-build.js';
import { makeInstallTree, masterIso } from './rpm-iso-tree.js';

/** The hostile set as laid under `hostile/`, with the file outside the tree its links point at. */
export interface HostileEntries extends HostileSet {
  secretFile: string;
  secretText: string;
}

export interface HostileIso extends HostileEntries {
  iso: string;
  /** The tree the ISO was mastered from. */
  treeDir: string;
  /** Entries in the ISO (Rock Ridge) that xorriso does not extract: devices and sockets. */
  notExtracted: string[];
  /** Each ISO path under /hostile with its type letter from `ls -l` (l, p, c, b, s, -, d). */
  listing: Map<string, string>;
}

export interface HostileRepoDir extends HostileEntries {
  repoDir: string;
  /** The good package the repo's metadata lists. */
  packageHref: string;
  /** Files the repo's metadata names that carry the attack script: repomd.xml and one record per active document. */
  scriptedMetadata: string[];
}

export type HostileMediaOptions = Pick<HostileOptions, 'hugeBytes' | 'marker'>;

/** Lays the hostile set into `<root>/hostile/`; `outside` is a directory beside the tree for the secret. */
export async function addHostileEntries(root: string, outside: string, options: Omit<HostileOptions, 'under'> = {}): Promise<HostileEntries> {
  await mkdir(outside, { recursive: true });
  const secretFile = join(outside, 'secret.txt');
  const secretText = `secret ${Math.random().toString(36).slice(2)}\n`;
  await writeFile(secretFile, secretText);
  const set = await layHostileEntries(root, secretFile, { ...options, under: 'hostile' });
  return { ...set, secretFile, secretText };
}

/** `ls -l` type letter of every path under /hostile in the ISO, read back with xorriso. */
export async function listIso(iso: string): Promise<Map<string, string>> {
  const r = await runCommand(['xorriso', '-indev', iso, '-find', '/hostile', '-exec', 'lsdl'], { timeoutMs: 60_000 });
  const out = new Map<string, string>();
  for (const line of r.stdout.split('\n')) {
    const m = /^(\S)\S+\s.*?'\/(hostile[^']*)'/.exec(line);
    if (m) out.set(m[2]!, m[1]!);
  }
  return out;
}

/** An installation ISO (one tiny RPM in BaseOS and in AppStream) with the hostile entries. */
export async function makeHostileIso(dir: string, options: HostileMediaOptions = {}): Promise<HostileIso> {
  const [alpha, beta] = await buildRpms(join(dir, 'rpms'), [{ name: 'alpha', version: '1.0' }, { name: 'beta', version: '1.0' }]);
  const treeDir = join(dir, 'iso-tree');
  await makeInstallTree(treeDir, { baseOs: [alpha!], appStream: [beta!] });
  const truncated = { treeinfo: await readFile(join(treeDir, '.treeinfo')), repomd: await readFile(join(treeDir, 'BaseOS', 'repodata', 'repomd.xml')) };
  const entries = await addHostileEntries(treeDir, join(dir, 'outside'), { ...options, truncated });
  const iso = join(dir, 'hostile.iso');
  await masterIso(treeDir, iso, 'HOSTILE');
  const listing = await listIso(iso);
  const expected = new Map([...entries.types, ['hostile/b/c', 'l'], [entries.huge.path, '-']]);
  for (const [path, type] of expected) {
    if (listing.get(path) !== type) throw new Error(`the hostile ISO should hold ${path} as type '${type}'; xorriso lists it as '${listing.get(path) ?? 'missing'}'`);
  }
  const notExtracted = [...entries.types].filter(([, type]) => type === 'c' || type === 'b' || type === 's').map(([path]) => path).sort();
  return { ...entries, iso, treeDir, listing, notExtracted };
}

/**
 * A repo directory (createrepo_c over one tiny RPM) with the hostile entries dropped in after,
 * and a repomd.xml that carries script and names the active documents as metadata records.
 */
export async function makeHostileRepoDir(dir: string, options: HostileMediaOptions = {}): Promise<HostileRepoDir> {
  const [gamma] = await buildRpms(join(dir, 'repo-rpms'), [{ name: 'gamma', version: '2.1' }]);
  const repoDir = join(dir, 'hostile-repo');
  await makeUpstreamRepo(repoDir, [gamma!]);
  const repomdPath = join(repoDir, 'repodata', 'repomd.xml');
  const truncated = { treeinfo: Buffer.from('[header]\ntype = productmd.treeinfo\n[general]\nfamily = Hostile\n'), repomd: await readFile(repomdPath) };
  const entries = await addHostileEntries(repoDir, join(dir, 'repo-outside'), { ...options, truncated });
  const marker = options.marker ?? 'PWNED';
  const records: string[] = [];
  for (const [name, text] of Object.entries(activeDocuments(marker))) {
    await writeFile(join(repoDir, 'repodata', name), text);
    const sha256 = createHash('sha256').update(text).digest('hex');
    records.push(`<data type="hostile-${name.replace(/[^a-z0-9]/gi, '-').toLowerCase()}"><checksum type="sha256">${sha256}</checksum><location href="repodata/${name}"/><size>${Buffer.byteLength(text)}</size></data>`);
  }
  const repomd = (await readFile(repomdPath, 'utf8')).replace('</repomd>', `${records.join('\n')}\n${xhtmlScriptElement(marker)}\n</repomd>`);
  await writeFile(repomdPath, repomd);
  return {
    ...entries, repoDir, packageHref: 'Packages/gamma-2.1-1.noarch.rpm',
    scriptedMetadata: ['repodata/repomd.xml', ...Object.keys(activeDocuments(marker)).map((n) => `repodata/${n}`)],
  };
}

/**
 * Every entry under `root` (relative path) that is a symlink whose real location leaves `root`
 * or is not a file or directory, or that is itself neither a file, a directory nor a symlink.
 */
export async function unsafeEntries(root: string): Promise<string[]> {
  const top = await realpath(root);
  const bad: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    for (const name of await readdir(dir)) {
      const path = join(dir, name);
      const s = await lstat(path);
      if (s.isDirectory()) await walk(path);
      else if (s.isSymbolicLink()) {
        const real = await realpath(path).catch(() => undefined);
        const t = real === undefined ? undefined : await lstat(real);
        if (real === undefined || (real !== top && !real.startsWith(top + sep)) || !(t!.isFile() || t!.isDirectory())) bad.push(relative(top, path));
      } else if (!s.isFile()) bad.push(relative(top, path));
    }
  };
  await walk(top);
  return bad.sort();
}
