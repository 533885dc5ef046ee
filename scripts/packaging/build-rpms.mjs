// `npm run build:rpms`: builds the `striker-agent` (noarch) and `striker` (this machine's arch)
// RPMs into dist/rpms/ from this checkout, offline:
//   1. the app build (`npm run build`) when an output is missing or older than a source file;
//   2. the agent (striker/app/agent-main.ts) bundled by esbuild into one ES module;
//   3. each package's files staged under dist/rpms/.work and packed as its Source0 tarball;
//   4. `rpmbuild -bb` through the argv command adapter (striker/core/command/run-command.ts),
//      the agent first: the striker RPM carries it in /usr/share/striker/rpms.
// node_modules in the striker RPM holds the production dependencies only: every package-lock
// entry not marked `dev` that is installed here (optional packages for other platforms are not).
// Options: --release N (default 1), --out DIR (default dist/rpms).
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { builtinModules } from 'node:module';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..', '..');
const { values: options } = parseArgs({ options: { release: { type: 'string', default: '1' }, out: { type: 'string', default: join(root, 'dist', 'rpms') } } });
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const version = pkg.version;
// Both packages require the Node.js package.json's engines field names (`>=20.19` → nodejs >= 20.19).
const nodeMin = /^>=\s*(\d+(?:\.\d+){0,2})$/.exec(pkg.engines?.node ?? '')?.[1];
const release = options.release;
if (!/^[0-9][0-9A-Za-z._]*$/.test(release)) fail(`--release must be digits, letters, dots or underscores, starting with a digit — got '${release}'`);
if (nodeMin === undefined) fail(`package.json engines.node must read >=MAJOR[.MINOR[.PATCH]] — got '${pkg.engines?.node}'`);
const out = resolve(options.out);
const work = join(out, '.work');

function fail(message) {
  console.error(`build-rpms: ${message}`);
  process.exit(1);
}

function log(message) {
  console.log(`build-rpms: ${message}`);
}

/** Newest modification time of the files under `dir` that go into the build (tests do not; 0 when it does not exist). */
function newestUnder(dir, skip = new Set(['node_modules', 'build', '.svelte-kit'])) {
  if (!existsSync(dir)) return 0;
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (skip.has(entry.name) || entry.name.endsWith('.test.ts')) continue;
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestUnder(path, skip) : statSync(path).mtimeMs);
  }
  return newest;
}

/** What `npm run build` makes, each with the sources it is made from. */
const buildOutputs = [
  { output: 'dist/striker/app/main.js', sources: ['striker', 'pxe', 'kickstart', 'repo-sync', 'cluster'] },
  { output: 'ui/build/handler.js', sources: ['ui/src', 'ui/static', 'ui/svelte.config.js'] },
  { output: 'pxe/dhcp/native/build/Release/bind_to_device.node', sources: ['pxe/dhcp/native'] },
  { output: 'pxe/tftp/native/build/Release/transfer_socket.node', sources: ['pxe/tftp/native'] },
  { output: 'pxe/ipv6/native/build/Release/icmp6_socket.node', sources: ['pxe/ipv6/native'] },
  { output: 'repo-sync/native/build/Release/send_file.node', sources: ['repo-sync/native'] },
];
const addons = buildOutputs.map((b) => join(root, b.output)).filter((p) => p.endsWith('.node'));

function newest(path) {
  if (!existsSync(path)) return 0;
  return statSync(path).isDirectory() ? newestUnder(path) : statSync(path).mtimeMs;
}

/** Runs `npm run build` unless every output exists and is newer than its sources. */
function ensureAppBuilt() {
  const stale = buildOutputs.filter(({ output, sources }) => {
    const path = join(root, output);
    return !existsSync(path) || statSync(path).mtimeMs < Math.max(...sources.map((s) => newest(join(root, s))));
  });
  if (stale.length === 0) {
    log('the app build is up to date');
    return;
  }
  log(`building the app (npm run build): ${stale.map((b) => b.output).join(', ')} missing or older than the sources`);
  const r = spawnSync('npm', ['run', 'build'], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) fail(`npm run build exited with ${r.status ?? r.signal}`);
}

/** Bundles the agent's entry point and everything it imports into one ES module. */
async function bundleAgent(outfile) {
  const entry = join(root, 'striker', 'app', 'agent-main.ts');
  if (!existsSync(entry)) fail(`${relative(root, entry)} does not exist: the striker-agent RPM bundles the agent's entry point`);
  const { build } = await import('esbuild');
  const result = await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    legalComments: 'none',
    metafile: true,
    logLevel: 'warning',
    // The agent reports the version of the package it came in.
    define: { __STRIKER_VERSION__: JSON.stringify(`${version}-${release}`) },
    // CommonJS dependencies call require(); an ES module has none of its own.
    banner: { js: "import { createRequire as strikerCreateRequire } from 'node:module';\nconst require = strikerCreateRequire(import.meta.url);" },
  });
  const outputs = Object.values(result.metafile.outputs);
  const builtin = new Set(builtinModules);
  const external = outputs.flatMap((o) => o.imports).filter((i) => i.external && !i.path.startsWith('node:') && !builtin.has(i.path));
  if (external.length > 0) fail(`the agent bundle still imports ${external.map((i) => i.path).join(', ')}: it must hold everything but Node's built-in modules`);
  log(`bundled the agent: ${relative(root, outfile)} (${Math.round(statSync(outfile).size / 1024)} KiB)`);
}

/** The production dependencies installed here, as package-lock paths (`node_modules/a`, `node_modules/a/node_modules/b`). */
function productionPackages() {
  const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8'));
  return Object.entries(lock.packages)
    .filter(([path, entry]) => path.startsWith('node_modules/') && entry.dev !== true && existsSync(join(root, path)))
    .map(([path]) => path);
}

/** Copies each package's directory without its nested node_modules (those are packages of their own). */
function stageNodeModules(appDir) {
  const packages = productionPackages();
  for (const path of packages) {
    const from = join(root, path);
    cpSync(from, join(appDir, path), {
      recursive: true,
      verbatimSymlinks: true,
      filter: (src) => src === from || !relative(from, src).split('/').includes('node_modules'),
    });
  }
  return packages.length;
}

function stageAgent(dir, bundle) {
  mkdirSync(dir, { recursive: true });
  copyFileSync(bundle, join(dir, 'striker-agent.mjs'));
  copyFileSync(join(here, 'striker-agent.sh'), join(dir, 'striker-agent'));
  copyFileSync(join(here, 'striker-agent.service'), join(dir, 'striker-agent.service'));
  copyFileSync(join(here, 'agent.json'), join(dir, 'agent.json'));
}

function stageStriker(dir, agentRpm) {
  const app = join(dir, 'app');
  mkdirSync(app, { recursive: true });
  for (const file of ['package.json', 'package-lock.json', 'bin/striker.js']) cpSync(join(root, file), join(app, file));
  for (const name of readdirSync(join(root, 'dist'))) {
    if (name !== 'rpms') cpSync(join(root, 'dist', name), join(app, 'dist', name), { recursive: true });
  }
  cpSync(join(root, 'ui', 'package.json'), join(app, 'ui', 'package.json'));
  cpSync(join(root, 'ui', 'build'), join(app, 'ui', 'build'), { recursive: true });
  for (const addon of addons) cpSync(addon, join(app, relative(root, addon)));
  const count = stageNodeModules(app);
  copyFileSync(join(here, 'striker.sh'), join(dir, 'striker'));
  for (const file of ['striker.service', 'striker.sysusers', 'striker.yaml']) copyFileSync(join(here, file), join(dir, file));
  copyFileSync(join(root, 'README.md'), join(dir, 'README.md'));
  mkdirSync(join(dir, 'rpms'));
  copyFileSync(agentRpm, join(dir, 'rpms', agentRpm.split('/').pop()));
  log(`staged the striker app with ${count} production packages`);
}

async function main() {
  ensureAppBuilt();
  const { runCommand } = await import(pathToFileURL(join(root, 'dist', 'striker', 'core', 'command', 'run-command.js')).href);
  rmSync(work, { recursive: true, force: true });
  const top = join(work, 'rpmbuild');
  for (const sub of ['BUILD', 'BUILDROOT', 'RPMS', 'SOURCES', 'SPECS', 'SRPMS']) mkdirSync(join(top, sub), { recursive: true });
  const stage = join(work, 'stage');

  const rpmbuild = async (spec) => {
    const argv = ['rpmbuild', '-bb', '--quiet',
      '--define', `_topdir ${top}`,
      '--define', `striker_version ${version}`,
      '--define', `striker_release ${release}`,
      '--define', `node_min ${nodeMin}`,
      '--define', '_binary_payload w3.zstdio',
      '--define', '_build_id_links none',
      join(here, spec)];
    log(`rpmbuild ${spec}`);
    await runCommand(argv, { timeoutMs: 30 * 60_000 });
  };
  const tar = (name) => runCommand(['tar', '-cf', join(top, 'SOURCES', `${name}.tar`), '-C', stage, name], { timeoutMs: 10 * 60_000 });

  const agentName = `striker-agent-${version}`;
  await bundleAgent(join(work, 'striker-agent.mjs'));
  stageAgent(join(stage, agentName), join(work, 'striker-agent.mjs'));
  await tar(agentName);
  await rpmbuild('striker-agent.spec');
  const agentRpm = join(top, 'RPMS', 'noarch', `${agentName}-${release}.noarch.rpm`);
  if (!existsSync(agentRpm)) fail(`rpmbuild did not write ${agentRpm}`);

  const strikerName = `striker-${version}`;
  stageStriker(join(stage, strikerName), agentRpm);
  await tar(strikerName);
  await rpmbuild('striker.spec');

  mkdirSync(out, { recursive: true });
  const built = [agentRpm];
  for (const arch of readdirSync(join(top, 'RPMS'))) {
    for (const name of readdirSync(join(top, 'RPMS', arch))) if (name.startsWith(`${strikerName}-`)) built.push(join(top, 'RPMS', arch, name));
  }
  for (const rpm of built) {
    const target = join(out, rpm.split('/').pop());
    copyFileSync(rpm, target);
    chmodSync(target, 0o644);
    log(`wrote ${relative(root, target)} (${(statSync(target).size / 1e6).toFixed(1)} MB)`);
  }
  rmSync(work, { recursive: true, force: true });
}

main().catch((error) => fail(error?.message ?? String(error)));
