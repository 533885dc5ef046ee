// Copies the non-TypeScript files the compiled code reads at run time (SQL migrations, data
// tables) from the source folders into dist/, keeping their relative paths.
import { cpSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const roots = ['striker', 'pxe', 'kickstart', 'repo-sync', 'cluster'];
const assets = /\.(sql|json|txt|csv|tmpl|sh|gz)$/;

function walk(dir) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) walk(path);
    else if (assets.test(name)) cpSync(path, join('dist', path));
  }
}
for (const root of roots) {
  try {
    walk(root);
  } catch (error) {
    if (error.code !== 'ENOENT') throw error;
  }
}
