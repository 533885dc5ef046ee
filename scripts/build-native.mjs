// Builds the DHCP server's SO_BINDTODEVICE addon (pxe/dhcp/native) with the node-gyp that npm
// ships, against this Node's own headers (nothing is downloaded). Skips when already built.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

const dir = join('pxe', 'dhcp', 'native');
if (existsSync(join(dir, 'build', 'Release', 'bind_to_device.node'))) process.exit(0);
const nodeDir = dirname(dirname(process.execPath));
const bundled = join(nodeDir, 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js');
if (!existsSync(bundled)) {
  console.error(`build-native: npm's node-gyp is not at ${bundled}`);
  process.exit(1);
}
const r = spawnSync(process.execPath, [bundled, 'rebuild', `--nodedir=${nodeDir}`, '-C', dir], { stdio: 'inherit' });
process.exit(r.status ?? 1);
