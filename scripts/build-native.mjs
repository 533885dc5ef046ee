// Builds the native addons with the node-gyp that npm ships, against this Node's own headers
// (nothing is downloaded). Each is skipped when already built.
//   pxe/dhcp/native  bind_to_device  SO_BINDTODEVICE for the DHCP server's socket
//   pxe/tftp/native  transfer_socket a TFTP transfer's socket: recv(2) per ACK, send(2)/sendmmsg(2)
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

const addons = [
  { dir: join('pxe', 'dhcp', 'native'), target: 'bind_to_device' },
  { dir: join('pxe', 'tftp', 'native'), target: 'transfer_socket' },
];
const nodeDir = dirname(dirname(process.execPath));
const bundled = join(nodeDir, 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js');

for (const { dir, target } of addons) {
  if (existsSync(join(dir, 'build', 'Release', `${target}.node`))) continue;
  if (!existsSync(bundled)) {
    console.error(`build-native: npm's node-gyp is not at ${bundled}`);
    process.exit(1);
  }
  const r = spawnSync(process.execPath, [bundled, 'rebuild', `--nodedir=${nodeDir}`, '-C', dir], { stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
