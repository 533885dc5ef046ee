// Builds the native addons with the node-gyp that npm ships, against this Node's own headers
// (nothing is downloaded). Each is skipped when already built and newer than its sources
// (a checkout that changes an addon's C code rebuilds it).
//   pxe/dhcp/native  bind_to_device  SO_BINDTODEVICE for the DHCP server's socket
//   pxe/tftp/native  transfer_socket a TFTP transfer's socket: recv(2) per ACK, send(2) per block
//   pxe/ipv6/native  icmp6_socket    a raw ICMPv6 socket for router solicitations and advertisements
//   repo-sync/native send_file       sendfile(2) of a file range on an HTTP response's socket
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';

const addons = [
  { dir: join('pxe', 'dhcp', 'native'), target: 'bind_to_device' },
  { dir: join('pxe', 'tftp', 'native'), target: 'transfer_socket' },
  { dir: join('pxe', 'ipv6', 'native'), target: 'icmp6_socket' },
  { dir: join('repo-sync', 'native'), target: 'send_file' },
];
const nodeDir = dirname(dirname(process.execPath));
const bundled = join(nodeDir, 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js');

/** Built, and no source file (binding.gyp, *.c, *.h) changed since. */
function upToDate(dir, target) {
  const built = join(dir, 'build', 'Release', `${target}.node`);
  if (!existsSync(built)) return false;
  const builtAt = statSync(built).mtimeMs;
  return readdirSync(dir)
    .filter((name) => name === 'binding.gyp' || /\.[ch]$/.test(name))
    .every((name) => statSync(join(dir, name)).mtimeMs <= builtAt);
}

for (const { dir, target } of addons) {
  if (upToDate(dir, target)) continue;
  if (!existsSync(bundled)) {
    console.error(`build-native: npm's node-gyp is not at ${bundled}`);
    process.exit(1);
  }
  const r = spawnSync(process.execPath, [bundled, 'rebuild', `--nodedir=${nodeDir}`, '-C', dir], { stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
