/**
 * The cluster lab's rendered shell: paths that would need quoting are refused, node services keep
 * every argument intact (run by a real sh), and a BMC's chassis hook answers and logs power calls.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { plain, renderBootScript, renderChassisHook, renderClusterStartScript, renderServicesScript } from './lab-scripts.js';

const dir = mkdtempSync(join(tmpdir(), 'cl-scripts-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const node = { index: 1, name: 'node1', namespace: 'cl-n1', dir: join(dir, 'node1') };

describe('lab scripts', () => {
  it('refuses paths that would need quoting', () => {
    expect(plain('/tmp/cl-lab-x1/node1', 'dir')).toBe('/tmp/cl-lab-x1/node1');
    for (const bad of ['/tmp/a b', '/tmp/$(reboot)', "/tmp/'x", '/tmp/x;y']) expect(() => plain(bad, 'dir')).toThrow(/must be letters, digits/);
    expect(() => renderBootScript({ ...node, dir: '/tmp/a b' })).toThrow(/node directory/);
  });

  it('node services keep every argument and variable as given', () => {
    const out = join(dir, 'args.txt');
    const tricky = ["it's", 'a "b"', '$HOME', '`id`', 'x;y', ''];
    const script = renderServicesScript([{ argv: ['sh', '-c', 'printf "%s|" "$@" "$V" > "$0"', out, ...tricky], env: { V: "v'1 $x" } }]);
    writeFileSync(join(dir, 'services.sh'), script, { mode: 0o755 });
    expect(spawnSync(join(dir, 'services.sh'), { encoding: 'utf8' }).status).toBe(0);
    expect(readFileSync(out, 'utf8')).toBe(`${[...tricky, "v'1 $x"].join('|')}|`);
    expect(() => renderServicesScript([{ argv: ['x'], env: { 'A-B': '1' } }])).toThrow(/not a shell variable name/);
  });

  it("the chassis hook answers power status from its state and logs every call", () => {
    const bmc = join(dir, 'bmc1');
    spawnSync('mkdir', ['-p', bmc]);
    writeFileSync(join(bmc, 'hook'), renderChassisHook(bmc, node), { mode: 0o755 });
    writeFileSync(join(bmc, 'power'), '0\n');
    const get = spawnSync(join(bmc, 'hook'), ['get', 'power'], { encoding: 'utf8' });
    expect(get.stdout).toBe('power:0\n');
    expect(spawnSync(join(bmc, 'hook'), ['set', 'bogus', '1'], { encoding: 'utf8' }).status).toBe(1);
    expect(readFileSync(join(bmc, 'calls.log'), 'utf8')).toMatch(/^\d+ get power\n\d+ set bogus 1\n$/);
  });

  it('an unformed node boots without the stack and starts it only once corosync.conf exists; cluster-start starts each daemon once', () => {
    const unformed = renderBootScript(node, { formed: false, fenceAgentsDir: '/opt/fence-delay' });
    expect(unformed).toContain(`if [ -f /etc/corosync/corosync.conf ]; then ${node.dir}/cluster-start.sh`);
    expect(unformed).toMatch(/exec sleep infinity\n$/);
    expect(unformed).not.toMatch(/^corosync -f/m);
    expect(unformed).toContain('mount -t overlay overlay -o lowerdir=/opt/fence-delay:/usr/sbin /usr/sbin');
    expect(renderBootScript(node)).toMatch(/exec pacemakerd/);

    // cluster-start.sh with stand-ins for the daemons on PATH.
    const d = join(dir, 'start');
    const bin = join(d, 'bin');
    spawnSync('mkdir', ['-p', bin]);
    for (const daemon of ['corosync', 'pacemakerd']) writeFileSync(join(bin, daemon), '#!/bin/sh\nexec sleep 30\n', { mode: 0o755 });
    writeFileSync(join(bin, 'corosync-cfgtool'), '#!/bin/sh\nexit 0\n', { mode: 0o755 });
    const conf = join(d, 'corosync.conf');
    writeFileSync(join(d, 'cluster-start.sh'), renderClusterStartScript({ ...node, dir: d }, conf), { mode: 0o755 });
    const start = () => spawnSync(join(d, 'cluster-start.sh'), { encoding: 'utf8', env: { PATH: `${bin}:${process.env['PATH'] ?? ''}` } });
    const missing = start();
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain(`cluster-start: ${conf} does not exist`);
    writeFileSync(conf, 'totem { }\n');
    expect(start().status).toBe(0);
    const pids = ['corosync', 'pacemakerd'].map((p) => Number(readFileSync(join(d, `${p}.pid`), 'utf8')));
    try {
      expect(start().status).toBe(0);
      expect(['corosync', 'pacemakerd'].map((p) => Number(readFileSync(join(d, `${p}.pid`), 'utf8')))).toEqual(pids);
    } finally {
      for (const pid of pids) process.kill(pid, 'SIGKILL');
    }
  });
});
