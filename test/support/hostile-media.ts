/**
 * Test helper: the hostile-media corpus. An installation ISO mastered with the real
 * `xorriso -as mkisofs -R -J` (Rock Ridge keeps links, FIFOs, devices and sockets) and a repo
 * directory made with `createrepo_c` from a real tiny RPM (`rpmbuild`), each carrying the same
 * hostile entries under `hostile/`:
 *
 *   b/c -> ..                        a link that stays inside (kept) and makes the next one work
 *   e -> b/c/b/c/../../..(…)         a relative chain that reaches / on disk
 *   abs-secret -> /…/outside/secret  an absolute link to a file outside the tree
 *   rel-secret -> ../../…/secret     a relative link to it
 *   dangling -> does-not-exist
 *   fifo, to-fifo -> fifo            a named pipe and a link to it
 *   null                             a character device (1,3), made with mknod (needs root)
 *   sock                             a Unix socket
 *   page.html, image.svg, notes.xhtml, RELEASE-NOTES.xml   files carrying <script>
 *   huge.bin                         a large sparse file
 *   truncated/.treeinfo, truncated/repodata/repomd.xml      cut in half
 *   good-link -> page.html, good-dirlink -> truncated      links that stay inside (kept)
 *
 * Everything is made under `dir`, which the caller removes. `unsafeEntries` is an independent
 * check for tests: what in a tree is a link leaving it or anything but a file or directory.
 */
import { spawnSync } from 'node:child_process';
import { lstat, mkdir, readdir, readFile, realpath, symlink, truncate, writeFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { runCommand } from '../../striker/core/command/run-command.js';
import { buildRpms, makeUpstreamRepo } from './rpm-build.js';
import { makeInstallTree, masterIso } from './rpm-iso-tree.js';

/** Paths relative to the tree (or repo) root. */
export interface HostileEntries {
  /** Entries the serving rule must remove wherever they appear on disk. */
  refused: string[];
  /** Hostile-looking entries that are safe to keep (inside links, regular files). */
  kept: string[];
  /** Regular files carrying script (XHTML, SVG, HTML, XML). */
  scripted: string[];
  /** The file outside the tree the links point at, and its content. */
  secretFile: string;
  secretText: string;
}

export interface HostileIso extends HostileEntries {
  iso: string;
  /** The tree the ISO was mastered from. */
  treeDir: string;
  /** Entries in the ISO (Rock Ridge) that xorriso does not extract: char devices and sockets. */
  notExtracted: string[];
  /** Each ISO path under /hostile with its type letter from `ls -l` (l, p, c, s, -, d). */
  listing: Map<string, string>;
}

export interface HostileRepoDir extends HostileEntries {
  repoDir: string;
  /** The good package the repo's metadata lists. */
  packageHref: string;
}

export interface HostileOptions {
  /** Size of the sparse file (default 200 MiB: xorriso writes its zeros into the ISO in full). */
  hugeBytes?: number;
}

const scriptFiles: Record<string, string> = {
  'page.html': '<!doctype html><html><body><script>fetch("/api/users",{method:"POST"})</script></body></html>\n',
  'image.svg': '<svg xmlns="http://www.w3.org/2000/svg"><script>fetch("/api/users",{method:"POST"})</script></svg>\n',
  'notes.xhtml': '<html xmlns="http://www.w3.org/1999/xhtml"><body><script>fetch("/api/users",{method:"POST"})</script></body></html>\n',
  'RELEASE-NOTES.xml': '<?xml version="1.0"?><notes><x:script xmlns:x="http://www.w3.org/1999/xhtml">fetch("/api/users",{method:"POST"})</x:script></notes>\n',
};

/** Lays the hostile entries into `<root>/hostile/`; `outside` is a directory beside the tree for the secret. */
export async function addHostileEntries(root: string, outside: string, options: HostileOptions = {}): Promise<HostileEntries> {
  const h = join(root, 'hostile');
  await mkdir(join(h, 'b'), { recursive: true });
  await mkdir(join(h, 'truncated', 'repodata'), { recursive: true });
  await mkdir(outside, { recursive: true });
  const secretFile = join(outside, 'secret.txt');
  const secretText = `secret ${Math.random().toString(36).slice(2)}\n`;
  await writeFile(secretFile, secretText);
  const up = '../'.repeat(40);
  await symlink('..', join(h, 'b', 'c'));
  await symlink(`b/c/b/c/${up}`.replace(/\/$/, ''), join(h, 'e'));
  await symlink(secretFile, join(h, 'abs-secret'));
  await symlink(`${up}${secretFile.slice(1)}`, join(h, 'rel-secret'));
  await symlink('does-not-exist', join(h, 'dangling'));
  await runCommand(['mkfifo', join(h, 'fifo')], { timeoutMs: 10_000 });
  await symlink('fifo', join(h, 'to-fifo'));
  await runCommand(['mknod', join(h, 'null'), 'c', '1', '3'], { timeoutMs: 10_000 });
  // A process that exits without closing its listener leaves the socket file behind.
  const sock = spawnSync(process.execPath, ['-e', `require('node:net').createServer().listen(${JSON.stringify(join(h, 'sock'))}, () => process.exit(0))`]);
  if (sock.status !== 0) throw new Error(`could not make a Unix socket: ${sock.stderr.toString()}`);
  for (const [name, text] of Object.entries(scriptFiles)) await writeFile(join(h, name), text);
  await writeFile(join(h, 'huge.bin'), '');
  await truncate(join(h, 'huge.bin'), options.hugeBytes ?? 200 * 1024 * 1024);
  await symlink('page.html', join(h, 'good-link'));
  await symlink('truncated', join(h, 'good-dirlink'));
  const rel = (names: string[]) => names.map((n) => `hostile/${n}`);
  return {
    refused: rel(['abs-secret', 'dangling', 'e', 'fifo', 'null', 'rel-secret', 'sock', 'to-fifo']),
    kept: rel(['b/c', 'good-dirlink', 'good-link', 'huge.bin', 'truncated/.treeinfo', 'truncated/repodata/repomd.xml', ...Object.keys(scriptFiles)]).sort(),
    scripted: rel(Object.keys(scriptFiles)),
    secretFile,
    secretText,
  };
}

/** Writes the first half of `from` to `to`. */
async function truncatedCopy(from: string, to: string): Promise<void> {
  const bytes = await readFile(from);
  await writeFile(to, bytes.subarray(0, Math.floor(bytes.length / 2)));
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
export async function makeHostileIso(dir: string, options: HostileOptions = {}): Promise<HostileIso> {
  const [alpha, beta] = await buildRpms(join(dir, 'rpms'), [{ name: 'alpha', version: '1.0' }, { name: 'beta', version: '1.0' }]);
  const treeDir = join(dir, 'iso-tree');
  await makeInstallTree(treeDir, { baseOs: [alpha!], appStream: [beta!] });
  const entries = await addHostileEntries(treeDir, join(dir, 'outside'), options);
  await truncatedCopy(join(treeDir, '.treeinfo'), join(treeDir, 'hostile', 'truncated', '.treeinfo'));
  await truncatedCopy(join(treeDir, 'BaseOS', 'repodata', 'repomd.xml'), join(treeDir, 'hostile', 'truncated', 'repodata', 'repomd.xml'));
  const iso = join(dir, 'hostile.iso');
  await masterIso(treeDir, iso, 'HOSTILE');
  const listing = await listIso(iso);
  const expected: Record<string, string> = { 'hostile/e': 'l', 'hostile/b/c': 'l', 'hostile/abs-secret': 'l', 'hostile/fifo': 'p', 'hostile/null': 'c', 'hostile/sock': 's', 'hostile/huge.bin': '-' };
  for (const [path, type] of Object.entries(expected)) {
    if (listing.get(path) !== type) throw new Error(`the hostile ISO should hold ${path} as type '${type}'; xorriso lists it as '${listing.get(path) ?? 'missing'}'`);
  }
  return { ...entries, iso, treeDir, listing, notExtracted: ['hostile/null', 'hostile/sock'] };
}

/** A repo directory (createrepo_c over one tiny RPM) with the hostile entries dropped in after. */
export async function makeHostileRepoDir(dir: string, options: HostileOptions = {}): Promise<HostileRepoDir> {
  const [gamma] = await buildRpms(join(dir, 'repo-rpms'), [{ name: 'gamma', version: '2.1' }]);
  const repoDir = join(dir, 'hostile-repo');
  await makeUpstreamRepo(repoDir, [gamma!]);
  const entries = await addHostileEntries(repoDir, join(dir, 'repo-outside'), options);
  await writeFile(join(repoDir, 'hostile', 'truncated', '.treeinfo'), '[header]\ntype = productmd.tree');
  await truncatedCopy(join(repoDir, 'repodata', 'repomd.xml'), join(repoDir, 'hostile', 'truncated', 'repodata', 'repomd.xml'));
  return { ...entries, repoDir, packageHref: 'Packages/gamma-2.1-1.noarch.rpm' };
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
