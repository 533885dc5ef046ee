import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeRunDir, ownerPid, sweepDeadRuns } from './scratch-dirs.js';

let dir: string;
/** The pid of a process that has exited: what a run killed with SIGKILL leaves in its directory's name. */
let deadPid: number;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'striker-scratch-'));
  deadPid = spawnSync(process.execPath, ['-e', '']).pid;
});
afterAll(async () => { await rm(dir, { recursive: true, force: true }); });

describe('per-run scratch directories', () => {
  it('a run directory carries this process id', async () => {
    const parent = join(dir, 'own');
    await mkdir(parent);
    const run = await makeRunDir(parent, 'sync-base');
    const name = run.split('/').pop()!;
    expect(name).toMatch(new RegExp(`^sync-base-pid${process.pid}-[A-Za-z0-9]{6}$`));
    expect(ownerPid(name)).toBe(process.pid);
  });

  it('the sweep removes what dead and unnamed runs left and keeps live ones', async () => {
    const parent = join(dir, 'sweep');
    await mkdir(parent);
    const killed = join(parent, `sync-base-pid${deadPid}-abc123`);
    await mkdir(join(killed, 'gnupg'), { recursive: true });
    await writeFile(join(killed, 'repomd.xml'), '<repomd/>');
    await mkdir(join(parent, 'iso-0b9c1a52-3f1e-4d0c-9a55-0f0c3c1d2e4f')); // named before runs carried a pid
    const mine = await makeRunDir(parent, 'iso');
    const parentPid = join(parent, `sync-other-pid${process.ppid}-zzz999`);
    await mkdir(parentPid);
    expect((await sweepDeadRuns(parent)).sort()).toEqual([`sync-base-pid${deadPid}-abc123`, 'iso-0b9c1a52-3f1e-4d0c-9a55-0f0c3c1d2e4f'].sort());
    expect((await readdir(parent)).sort()).toEqual([mine.split('/').pop(), `sync-other-pid${process.ppid}-zzz999`].sort());
  });

  it('a prefix limits the sweep; a missing parent has nothing to sweep', async () => {
    const parent = join(dir, 'prefixed');
    await mkdir(parent);
    await mkdir(join(parent, `.building-pid${deadPid}-20260101T000000Z-abcdef`));
    await mkdir(join(parent, 'rocky-9.3-x86_64-20260101T000000Z-abcdef'));
    expect(await sweepDeadRuns(parent, '.building-')).toEqual([`.building-pid${deadPid}-20260101T000000Z-abcdef`]);
    expect(await readdir(parent)).toEqual(['rocky-9.3-x86_64-20260101T000000Z-abcdef']);
    expect(await sweepDeadRuns(join(dir, 'nothing-here'))).toEqual([]);
  });
});
