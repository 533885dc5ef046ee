// Copies the non-TypeScript files the compiled code reads at run time (SQL migrations, data
// tables) from the source folders into dist/, keeping their relative paths, and removes from dist/
// any such file whose source is gone (a renamed or withdrawn migration must not be applied from a
// stale copy).
import { cpSync, existsSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const roots = ['striker', 'pxe', 'kickstart', 'repo-sync', 'cluster'];
const assets = /\.(sql|json|txt|csv|tmpl|sh|gz)$/;

/** Every asset file under dir, as a path relative to `base`. */
function assetsUnder(dir, base) {
  if (!existsSync(dir)) return [];
  const found = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) found.push(...assetsUnder(path, base));
    else if (assets.test(name)) found.push(relative(base, path));
  }
  return found;
}

for (const root of roots) {
  const sources = new Set(assetsUnder(root, '.'));
  for (const copied of assetsUnder(join('dist', root), 'dist')) {
    if (!sources.has(copied)) rmSync(join('dist', copied));
  }
  for (const source of sources) cpSync(source, join('dist', source));
}
