/**
 * Builds pxe/tftp/native (the TFTP transfer socket addon) with npm's node-gyp when it is not
 * built yet, as scripts/build-native.mjs does; tests of the native paths call it first.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const nativeDir = join(dirname(fileURLToPath(import.meta.url)), '../../../pxe/tftp/native');

export function ensureTransferAddon(): void {
  if (existsSync(join(nativeDir, 'build/Release/transfer_socket.node'))) return;
  const nodeDir = dirname(dirname(process.execPath));
  const gyp = join(nodeDir, 'lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js');
  const r = spawnSync(process.execPath, [gyp, 'rebuild', `--nodedir=${nodeDir}`, '-C', nativeDir], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`node-gyp failed: ${r.stderr}`);
}
