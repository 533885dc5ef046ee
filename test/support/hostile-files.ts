/**
 * Hostile files planted directly in a served directory (a published snapshot, an imported tree),
 * as if import or sync had let them through: symlink chains and absolute links leaving the tree,
 * FIFOs, a socket, devices, and documents carrying script. Real files on disk (the tests run as
 * root: `mkfifo`, `mknod`).
 */
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { join, relative, sep } from 'node:path';
import { runCommand } from '../../striker/core/command/run-command.js';

/** A planted file: the path under the served directory to ask for, and what it is. */
export interface HostileEntry {
  readonly tail: string;
  readonly what: string;
}

export interface HostileFiles {
  /** Everything that must never be served (404). */
  readonly refused: readonly HostileEntry[];
  /** Symlinks that stay inside the tree: served. */
  readonly inside: readonly HostileEntry[];
  /** Closes the socket's listener. */
  close(): Promise<void>;
}

/**
 * Plants the hostile set in `dir`. `secret` is a file outside `dir` whose bytes must never be
 * served; `alsoLinkTo` adds absolute links to other files that must stay private (a data dir's
 * postgres.json, /etc/shadow).
 */
export async function plantHostileFiles(dir: string, secret: string, alsoLinkTo: Record<string, string> = {}): Promise<HostileFiles> {
  await mkdir(join(dir, 'b'), { recursive: true });
  await mkdir(join(dir, 'sub'), { recursive: true });
  // `b/c -> ..` is the directory itself, so `b/c/b/c/…` never leaves it on paper; the `..` steps
  // that follow then climb out to / on disk.
  const depth = dir.split(sep).filter((s) => s !== '').length;
  await symlink('..', join(dir, 'b', 'c'));
  await symlink(`b/c/b/c/${'../'.repeat(depth + 1)}`.replace(/\/$/, ''), join(dir, 'e'));
  const secretFromRoot = secret.replace(/^\/+/, '');
  await symlink(secret, join(dir, 'abs-secret'));
  await symlink(relative(dir, secret), join(dir, 'rel-secret'));
  await symlink(relative(join(dir, 'sub'), secret), join(dir, 'sub', 'rel-secret.rpm'));
  await symlink('/etc', join(dir, 'etc-dir'));
  await symlink('loop-b', join(dir, 'loop-a'));
  await symlink('loop-a', join(dir, 'loop-b'));
  for (const [name, target] of Object.entries(alsoLinkTo)) await symlink(target, join(dir, name));
  await runCommand(['mkfifo', join(dir, 'fifo'), join(dir, 'fifo.xml')], { timeoutMs: 10_000 });
  await runCommand(['mknod', join(dir, 'zero'), 'c', '1', '5'], { timeoutMs: 10_000 });
  await runCommand(['mknod', join(dir, 'loop-dev'), 'b', '7', '0'], { timeoutMs: 10_000 });
  const server: Server = createServer();
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(join(dir, 'socket'), () => resolve()));
  // Inside the tree: served like any file.
  await writeFile(join(dir, 'sub', 'inside.txt'), 'inside the tree');
  await symlink('sub/inside.txt', join(dir, 'inside-link.txt'));
  await symlink('.', join(dir, 'self'));

  const refused: HostileEntry[] = [
    { tail: `e/${secretFromRoot}`, what: 'relative symlink chain climbing to /' },
    { tail: 'e/etc/shadow', what: '/etc/shadow through the chain' },
    { tail: 'abs-secret', what: 'absolute link to a file outside' },
    { tail: 'rel-secret', what: 'relative link to a file outside' },
    { tail: 'sub/rel-secret.rpm', what: 'relative link from a subdirectory' },
    { tail: 'etc-dir/passwd', what: 'link to a directory outside' },
    { tail: 'loop-a', what: 'symlink loop' },
    ...Object.keys(alsoLinkTo).map((name) => ({ tail: name, what: `absolute link ${name}` })),
    { tail: 'fifo', what: 'FIFO' },
    { tail: 'fifo.xml', what: 'FIFO named like metadata' },
    { tail: 'self/fifo', what: 'FIFO through an inside link' },
    { tail: 'zero', what: 'character device' },
    { tail: 'loop-dev', what: 'block device' },
    { tail: 'socket', what: 'socket' },
  ];
  const inside: HostileEntry[] = [
    { tail: 'inside-link.txt', what: 'link to a file inside' },
    { tail: 'self/sub/inside.txt', what: 'link to the tree itself' },
    { tail: 'b/c/sub/inside.txt', what: 'the chain that stays inside' },
  ];
  return { refused, inside, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/** The script every active document below carries: it would create an admin and mark the page. */
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
