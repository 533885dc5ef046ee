/**
 * An extracted ISO may carry Rock Ridge symlinks. The tree is served over HTTP and the static
 * server follows symlinks, so one pointing outside the tree (`x.rpm -> /etc/shadow`) would leak
 * host files: refuse the import if any symlink resolves outside the tree root.
 */
import { readdir, readlink } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { StrikerError } from '../../striker/core/errors/index.js';

export async function refuseEscapingSymlinks(root: string, label: string): Promise<void> {
  const top = resolve(root);
  const walk = async (dir: string): Promise<void> => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) await walk(path);
      else if (entry.isSymbolicLink()) {
        const target = await readlink(path);
        const resolved = resolve(dirname(path), target);
        if (target.startsWith('/') || (resolved !== top && !resolved.startsWith(top + sep))) {
          throw new StrikerError('REPO_VERIFY_FAILED', `${label}: symlink ${relative(top, path)} -> ${target} points outside the tree; refusing to serve it`, { details: { path: relative(top, path), target } });
        }
      }
    }
  };
  await walk(top);
}
