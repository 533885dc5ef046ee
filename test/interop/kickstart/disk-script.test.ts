/**
 * Runs the generated `%pre` disk planner with real shells (dash as /bin/sh, bash, busybox sh)
 * against fake /sys trees and checks the /tmp/part-include it writes: equal to the reviewed golden
 * file, equal to what the TypeScript planner renders for the same disks, and lint-clean.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCommand } from '../../../striker/core/command/run-command.js';
import { diskRulesByRole, planDisks, type DiskRules } from '../../../kickstart/disk-rules.js';
import { renderDiskScript } from '../../../kickstart/disk-script.js';
import { lintKickstart } from '../../../kickstart/lint.js';
import { renderPartInclude } from '../../../kickstart/part-include.js';
import { fakeSysfs, type FakeBlockDevice } from '../../fixtures/kickstart/fake-sysfs.js';
import { golden } from '../../fixtures/kickstart/golden-file.js';

const work = mkdtempSync(join(tmpdir(), 'ks-disk-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const shells = [['sh'], ['bash'], ['busybox', 'sh']] as const;

async function runPlanner(rules: DiskRules, sysfs: string, shell: readonly string[]): Promise<{ exitCode: number; include: string; stderr: string }> {
  const script = join(work, 'pre.sh');
  writeFileSync(script, renderDiskScript(rules));
  const include = join(sysfs, 'part-include');
  const r = await runCommand([...shell, script], { timeoutMs: 10_000, env: { SYSFS_ROOT: sysfs, PART_INCLUDE: include }, okExitCodes: [0, 1] });
  return { exitCode: r.exitCode, include: readFileSync(include, 'utf8'), stderr: r.stderr };
}

const GiB = 1024;
const disks = (names: readonly string[], sizeGiB = 500): FakeBlockDevice[] => names.map((name) => ({ name, sizeMiB: sizeGiB * GiB }));
const noise: FakeBlockDevice[] = [
  { name: 'loop0', sizeMiB: 900 * GiB }, { name: 'ram0', sizeMiB: 900 * GiB }, { name: 'sr0', sizeMiB: 900 * GiB },
  { name: 'zram0', sizeMiB: 900 * GiB }, { name: 'dm-0', sizeMiB: 900 * GiB }, { name: 'md127', sizeMiB: 900 * GiB },
  { name: 'sdx', sizeMiB: 900 * GiB, removable: true }, { name: 'sdw', sizeMiB: 2 * GiB }, { name: 'sdv', sizeMiB: 'garbage\n' },
  { name: 'nvme9c9n1', sizeMiB: 900 * GiB, hidden: true },
];

const layouts: readonly { name: string; role: 'node' | 'dr' | 'striker'; devices: FakeBlockDevice[] }[] = [
  { name: 'plain', role: 'node', devices: disks(['sda']) },
  { name: 'raid1', role: 'node', devices: disks(['sda', 'sdb']) },
  { name: 'raid10', role: 'dr', devices: [...disks(['nvme0n1', 'nvme1n1', 'nvme2n1', 'nvme3n1']), ...noise] },
  { name: 'raid6', role: 'striker', devices: [...disks(['sda', 'sdb', 'sdc', 'sdd', 'sde']), { name: 'sdf', sizeMiB: 300 * GiB }] },
];

describe('%pre disk planner against fake /sys/block trees', () => {
  for (const layout of layouts) {
    for (const firmware of ['bios', 'efi'] as const) {
      it(`${layout.name} (${layout.role}, ${firmware}) writes the golden include in every shell`, async () => {
        const rules = diskRulesByRole[layout.role];
        const sysfs = fakeSysfs(layout.devices, firmware, work);
        const expected = renderPartInclude(
          planDisks(layout.devices.filter((d) => typeof d.sizeMiB === 'number').map((d) => ({ name: d.name, sizeMiB: d.sizeMiB as number, removable: d.removable === true, hidden: d.hidden === true })), firmware, rules),
        );
        for (const shell of shells) {
          const out = await runPlanner(rules, sysfs, shell);
          expect(out.exitCode, `${shell.join(' ')}: ${out.stderr}`).toBe(0);
          expect(out.include).toBe(expected);
        }
        expect(expected).toBe(golden(`part-${layout.name}-${firmware}.ks`, expected));
        expect(lintKickstart(expected, { fragment: true })).toEqual({ ok: true, problems: [] });
      });
    }
  }

  it('ignores loop, ram, sr, zram, dm-, md, removable, hidden, tiny and unreadable devices', async () => {
    const out = await runPlanner(diskRulesByRole.node, fakeSysfs([...noise, ...disks(['sdb'])], 'efi', work), ['sh']);
    expect(out.exitCode).toBe(0);
    expect(out.include.split('\n')[0]).toBe(`# Striker disk plan: none on 1 disk(s) (sdb), efi, ${500 * GiB} MiB usable`);
  });

  it('fails the install (exit 1) with the reason in the include when there is no usable disk', async () => {
    for (const shell of shells) {
      const out = await runPlanner(diskRulesByRole.node, fakeSysfs(noise, 'bios', work), shell);
      expect(out.exitCode).toBe(1);
      expect(out.include).toBe('# Striker disk plan failed: no usable disk of at least 8192 MiB found\n');
      expect(out.stderr).toContain('Striker disk plan failed');
    }
  });

  it('fails when the disks are too small for root, swap and /boot, as the TypeScript planner does', async () => {
    const devices = disks(['sda', 'sdb'], 60);
    const out = await runPlanner(diskRulesByRole.node, fakeSysfs(devices, 'efi', work), ['bash']);
    const plan = planDisks(devices.map((d) => ({ name: d.name, sizeMiB: d.sizeMiB as number, removable: false })), 'efi', diskRulesByRole.node);
    expect(plan.kind).toBe('error');
    expect(out.exitCode).toBe(1);
    expect(out.include).toBe(renderPartInclude(plan));
    expect(out.include).toBe(`# Striker disk plan failed: raid1 over 2 disk(s) gives ${60 * GiB} MiB, need at least 91752 MiB\n`);
  });
});
