import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { missingPeersMessage, onPath, peerPackages } from './require-peers.js';

const here = dirname(fileURLToPath(import.meta.url));

describe('benchmark peers', () => {
  it('every peer program names a package listed in bench-packages.txt', () => {
    const listed = readFileSync(join(here, 'bench-packages.txt'), 'utf8')
      .split('\n')
      .map((line) => line.replace(/#.*/, '').trim())
      .filter((line) => line !== '');
    const unlisted = Object.entries(peerPackages).filter(([, pkg]) => !listed.includes(pkg));
    expect(unlisted).toEqual([]);
  });

  it('names each missing program with its Debian package and the install script', () => {
    expect(missingPeersMessage(['nginx', 'wrk'])).toBe(
      'missing benchmark peers: nginx (Debian package nginx), wrk (wrk) — run bash test/bench/install-bench-packages.sh',
    );
  });

  it('finds only executable files on the given PATH', () => {
    const dir = mkdtempSync(join(tmpdir(), 'striker-peers-'));
    writeFileSync(join(dir, 'runnable'), '#!/bin/sh\n');
    chmodSync(join(dir, 'runnable'), 0o755);
    writeFileSync(join(dir, 'plain'), '');
    expect(onPath('runnable', `/nonexistent:${dir}`)).toBe(true);
    expect(onPath('plain', dir)).toBe(false);
    expect(onPath('absent', dir)).toBe(false);
  });

  it('as a script (for bash benches) exits 2 with the same line when a peer is missing', () => {
    const empty = mkdtempSync(join(tmpdir(), 'striker-peers-path-'));
    const r = spawnSync(process.execPath, ['--import', 'tsx', join(here, 'require-peers.ts'), 'nginx', 'wrk'], {
      encoding: 'utf8',
      env: { ...process.env, PATH: empty },
    });
    expect(r.status).toBe(2);
    expect(r.stderr.trim()).toBe(missingPeersMessage(['nginx', 'wrk']));
    const unknown = spawnSync(process.execPath, ['--import', 'tsx', join(here, 'require-peers.ts'), 'frobnicate'], { encoding: 'utf8' });
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain('no Debian package known for frobnicate');
    writeFileSync(join(empty, 'wrk'), '#!/bin/sh\n');
    chmodSync(join(empty, 'wrk'), 0o755);
    const present = spawnSync(process.execPath, ['--import', 'tsx', join(here, 'require-peers.ts'), 'wrk'], {
      encoding: 'utf8',
      env: { ...process.env, PATH: empty },
    });
    expect(present.stderr).toBe('');
    expect(present.status).toBe(0);
  });
});
