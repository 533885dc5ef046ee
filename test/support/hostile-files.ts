/**
 * The hostile entry set, defined once: what an attacker puts in OS media or a mirror to make
 * Striker serve a file outside its tree, hang on a read, touch a device, or run script in its
 * origin. Real files on disk (the tests run as root: `mkfifo`, `mknod`). Two uses build on it:
 * laying it straight into a served directory (as if import or sync had let it through) and into
 * an ISO tree or repo directory before mastering (`test/support/hostile-media.ts`).
 *
 *   b/c -> ..                            stays inside, and makes the next one work
 *   e -> b/c/b/c/../../..(…)             a relative chain that stays inside on paper and reaches / on disk
 *   abs-secret -> /…/secret              an absolute link to a file outside the tree
 *   rel-secret, sub/rel-secret.rpm       relative links to it (from the top and from a subdirectory)
 *   etc-dir -> /etc                      a link to a directory outside
 *   loop-a <-> loop-b, dangling          a symlink loop, a link to nothing
 *   fifo, fifo.xml, to-fifo -> fifo      named pipes (one named like metadata) and a link to one
 *   null, loop-dev                       a character device (1,3) and a block device (7,0)
 *   sock                                 a Unix socket
 *   sub/inside.txt, inside-link.txt, self -> .    a file and links that stay inside (served)
 *   RELEASE-NOTES.xml, notes.xhtml, logo.svg, index.html, readme.htm, noext    documents carrying
 *                                        the attack script (`activeDocuments`)
 *   huge.bin                             a large sparse file
 *   truncated/.treeinfo, truncated/repodata/repomd.xml, good-dirlink -> truncated   metadata cut in half
 */
import { spawnSync } from 'node:child_process';
import { mkdir, readFile, symlink, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runCommand } from '../../striker/core/command/run-command.js';

/** A path to ask the server for, relative to the served root, and what it is. */
export interface HostileProbe {
  readonly tail: string;
  readonly what: string;
}

/** What `layHostileEntries` made; every path is relative to the root it was given. */
export interface HostileSet {
  /** Entries that intake must drop (links leaving the tree, dangling or looping links, FIFOs, devices, sockets), sorted. */
  readonly dropped: readonly string[];
  /** Entries that are safe to keep (inside links, regular files), sorted. */
  readonly kept: readonly string[];
  /** Regular files carrying the attack script. */
  readonly scripted: readonly string[];
  /** The large sparse file and its size. */
  readonly huge: { readonly path: string; readonly bytes: number };
  /** Paths that must never be served (404): the dropped entries and paths through links leaving the tree. */
  readonly refused: readonly HostileProbe[];
  /** Paths through links that stay inside the tree: served, with the body `insideText`. */
  readonly inside: readonly HostileProbe[];
  /** Each dropped entry's type letter as `ls -l` shows it (l, p, c, b, s). */
  readonly types: ReadonlyMap<string, string>;
}

export interface HostileOptions {
  /** Lay the set under this subdirectory of the root (paths in the result include it). */
  under?: string;
  /** Extra absolute links to other files that must stay private (name -> target), e.g. a data dir's postgres.json. */
  alsoLinkTo?: Record<string, string>;
  /** Marks the page and names the user the attack script would create (default `PWNED`). */
  marker?: string;
  /** Size of the sparse file (default 200 MiB). */
  hugeBytes?: number;
  /** Full text of the metadata files cut in half under `truncated/` (default: a small .treeinfo and repomd.xml). */
  truncated?: { treeinfo?: Buffer; repomd?: Buffer };
}

export const insideText = 'inside the tree';

/** Enough `../` to climb from any test directory to /. */
const up = '../'.repeat(40);

/** The script every active document carries: it would create an admin through the API and mark the page. */
export function attackScript(marker: string): string {
  return `document.title = '${marker}'; console.log('${marker}');
fetch('/api/session').then((r) => r.json()).then((s) => fetch('/api/users', { method: 'POST',
  headers: { 'content-type': 'application/json', 'x-csrf-token': s.csrfToken },
  body: JSON.stringify({ username: '${marker.toLowerCase()}', password: 'a long enough password', role: 'admin' }) }));`;
}

/** Documents that run script when a browser renders them as their extension says. */
export function activeDocuments(marker: string): Record<string, string> {
  const script = attackScript(marker);
  const cdata = `<![CDATA[${script}]]>`;
  return {
    'RELEASE-NOTES.xml': `<?xml version="1.0"?>\n<notes xmlns:h="http://www.w3.org/1999/xhtml"><h:script>${cdata}</h:script></notes>\n`,
    'notes.xhtml': `<?xml version="1.0"?>\n<html xmlns="http://www.w3.org/1999/xhtml"><head><title>t</title></head><body><script>${cdata}</script></body></html>\n`,
    'logo.svg': `<svg xmlns="http://www.w3.org/2000/svg"><script>${cdata}</script></svg>\n`,
    'index.html': `<!doctype html><title>t</title><script>${script}</script>\n`,
    'readme.htm': `<html><body onload="${script.replace(/"/g, '&quot;')}">x</body></html>\n`,
    'noext': `<!doctype html><script>${script}</script>\n`,
  };
}

/** An XHTML script element in its own namespace: an XML file (repomd.xml) carrying it still parses as before. */
export function xhtmlScriptElement(marker: string): string {
  return `<h:script xmlns:h="http://www.w3.org/1999/xhtml"><![CDATA[${attackScript(marker)}]]></h:script>`;
}

const sampleTreeinfo = Buffer.from('[header]\ntype = productmd.treeinfo\nversion = 1.2\n\n[general]\nfamily = Hostile\nversion = 1\narch = x86_64\n');
const sampleRepomd = Buffer.from('<?xml version="1.0" encoding="UTF-8"?>\n<repomd xmlns="http://linux.duke.edu/metadata/repo"><revision>1</revision></repomd>\n');

/** Makes a Unix socket file at `path`: a process that exits without closing its listener leaves it behind. */
function makeSocketFile(path: string): void {
  const r = spawnSync(process.execPath, ['-e', `require('node:net').createServer().listen(${JSON.stringify(path)}, () => process.exit(0))`]);
  if (r.status !== 0) throw new Error(`could not make a Unix socket at ${path}: ${r.stderr.toString()}`);
}

/**
 * Lays the hostile set into `root` (or `root/<under>`). `secret` is an existing file outside the
 * root whose bytes must never be served.
 */
export async function layHostileEntries(root: string, secret: string, options: HostileOptions = {}): Promise<HostileSet> {
  const base = options.under === undefined ? root : join(root, options.under);
  const at = (p: string) => join(base, p);
  const rel = (p: string) => (options.under === undefined ? p : `${options.under}/${p}`);
  const marker = options.marker ?? 'PWNED';
  const hugeBytes = options.hugeBytes ?? 200 * 1024 * 1024;
  const alsoLinkTo = options.alsoLinkTo ?? {};
  const secretTail = secret.replace(/^\/+/, '');
  for (const d of ['b', 'sub', 'truncated/repodata']) await mkdir(at(d), { recursive: true });

  /** Links intake must drop: leaving the tree, looping, dangling, or naming a FIFO. */
  const droppedLinks: Record<string, string> = {
    e: `b/c/b/c/${up}`.replace(/\/$/, ''),
    'abs-secret': secret,
    'rel-secret': `${up}${secretTail}`,
    'sub/rel-secret.rpm': `${up}${secretTail}`,
    'etc-dir': '/etc',
    'loop-a': 'loop-b',
    'loop-b': 'loop-a',
    dangling: 'does-not-exist',
    'to-fifo': 'fifo',
    ...alsoLinkTo,
  };
  /** Links whose real location stays inside the tree. */
  const keptLinks: Record<string, string> = { 'b/c': '..', 'inside-link.txt': 'sub/inside.txt', self: '.', 'good-dirlink': 'truncated' };
  for (const [path, target] of Object.entries({ ...keptLinks, ...droppedLinks })) await symlink(target, at(path));
  await runCommand(['mkfifo', at('fifo'), at('fifo.xml')], { timeoutMs: 10_000 });
  await runCommand(['mknod', at('null'), 'c', '1', '3'], { timeoutMs: 10_000 });
  await runCommand(['mknod', at('loop-dev'), 'b', '7', '0'], { timeoutMs: 10_000 });
  makeSocketFile(at('sock'));

  await writeFile(at('sub/inside.txt'), insideText);
  const documents = activeDocuments(marker);
  for (const [name, text] of Object.entries(documents)) await writeFile(at(name), text);
  await writeFile(at('huge.bin'), '');
  await truncate(at('huge.bin'), hugeBytes);
  const half = (b: Buffer) => b.subarray(0, Math.floor(b.length / 2));
  await writeFile(at('truncated/.treeinfo'), half(options.truncated?.treeinfo ?? sampleTreeinfo));
  await writeFile(at('truncated/repodata/repomd.xml'), half(options.truncated?.repomd ?? sampleRepomd));

  const types = new Map<string, string>([
    ...Object.keys(droppedLinks).map((p): [string, string] => [rel(p), 'l']),
    [rel('fifo'), 'p'], [rel('fifo.xml'), 'p'], [rel('null'), 'c'], [rel('loop-dev'), 'b'], [rel('sock'), 's'],
  ]);
  const kept = [...Object.keys(keptLinks), 'huge.bin', 'sub/inside.txt', 'truncated/.treeinfo', 'truncated/repodata/repomd.xml', ...Object.keys(documents)];
  const probes = (list: readonly (readonly [tail: string, what: string])[]): HostileProbe[] => list.map(([tail, what]) => ({ tail: rel(tail), what }));
  return {
    dropped: [...types.keys()].sort(),
    kept: kept.map(rel).sort(),
    scripted: Object.keys(documents).map(rel),
    huge: { path: rel('huge.bin'), bytes: hugeBytes },
    refused: probes([
      [`e/${secretTail}`, 'relative symlink chain climbing to /'],
      ['e/etc/shadow', '/etc/shadow through the chain'],
      ['abs-secret', 'absolute link to a file outside'],
      ['rel-secret', 'relative link to a file outside'],
      ['sub/rel-secret.rpm', 'relative link from a subdirectory'],
      ['etc-dir/passwd', 'link to a directory outside'],
      ['loop-a', 'symlink loop'],
      ...Object.keys(alsoLinkTo).map((name) => [name, `absolute link ${name}`] as const),
      ['fifo', 'FIFO'],
      ['fifo.xml', 'FIFO named like metadata'],
      ['to-fifo', 'link to a FIFO'],
      ['self/fifo', 'FIFO through an inside link'],
      ['null', 'character device'],
      ['loop-dev', 'block device'],
      ['sock', 'socket'],
    ]),
    inside: probes([
      ['inside-link.txt', 'link to a file inside'],
      ['self/sub/inside.txt', 'link to the tree itself'],
      ['b/c/sub/inside.txt', 'the chain that stays inside'],
    ]),
    types,
  };
}

/**
 * Texts that must never appear in anything an appliance serves: the embedded database's
 * credentials under `dataDir` and the lines of /etc/shadow, plus `extra` (the planted secrets).
 */
export async function privateTexts(dataDir: string, extra: readonly string[] = []): Promise<string[]> {
  const pg = JSON.parse(await readFile(join(dataDir, 'postgres.json'), 'utf8')) as Record<string, unknown>;
  const shadow = (await readFile('/etc/shadow', 'utf8')).split('\n').filter((l) => l.length > 8);
  return [...extra, ...Object.values(pg).filter((v): v is string => typeof v === 'string' && v.length >= 8), ...shadow];
}
