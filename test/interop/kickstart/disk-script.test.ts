/**
 * Runs the generated `%pre` disk planner with real shells (dash as /bin/sh, bash, busybox sh)
 * against fake /sys trees and checks the /tmp/part-include it writes: equal to the reviewed golden
 * file, equal to what the TypeScript planner renders for the same disks, and lint-clean; and
 * that it skips each disk that is not local for the same reason the TypeScript planner gives.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCommand } from '../../../striker/core/command/run-command.js';
import { diskRulesByRole, planDisks, unusableReason, type DiskRules } from '../../../kickstart/disk-rules.js';
import { renderDiskScript } from '../../../kickstart/disk-script.js';
import { roles } from '../../../kickstart/kickstart-input.js';
import { lintKickstart } from '../../../kickstart/lint.js';
import { renderPartInclude } from '../../../kickstart/part-include.js';
import { detectedDisks, fakeSysfs, type FakeBlockDevice } from '../../fixtures/kickstart/fake-sysfs.js';
import { golden } from '../../fixtures/kickstart/golden-file.js';

const work = mkdtempSync(join(tmpdir(), 'ks-disk-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const shells = [['sh'], ['bash'], ['busybox', 'sh']] as const;

interface PlannerRun { exitCode: number; include: string; stderr: string }

async function runPlanner(rules: DiskRules, sysfs: string, shell: readonly string[], only: readonly string[] = []): Promise<PlannerRun> {
  const script = join(sysfs, 'pre.sh');
  writeFileSync(script, renderDiskScript(rules, only));
  const include = join(sysfs, 'part-include');
  const r = await runCommand([...shell, script], { timeoutMs: 10_000, env: { SYSFS_ROOT: sysfs, PART_INCLUDE: include }, okExitCodes: [0, 1] });
  return { exitCode: r.exitCode, include: readFileSync(include, 'utf8'), stderr: r.stderr };
}

/** The reasons the script gave on stderr for the disks it skipped, by name. */
function skipped(stderr: string): Record<string, string> {
  return Object.fromEntries([...stderr.matchAll(/^Striker disk planner: skipping (\S+) \((.+)\)$/gm)].map((m) => [m[1], m[2]]));
}

const GiB = 1024;

/** Disks that are not install targets: every tree in the matrix carries them. */
const distractors: FakeBlockDevice[] = [
  { name: 'sdm', sizeMiB: 900 * GiB, bus: 'iscsi' },
  { name: 'sdn', sizeMiB: 900 * GiB, bus: 'usb', removable: false },
  { name: 'sdo', sizeMiB: 900 * GiB, bus: 'sas', heldBy: 'dm-0' },
  { name: 'sdp', sizeMiB: 900 * GiB, bus: 'sas', heldBy: 'dm-0' },
  { name: 'dm-0', sizeMiB: 900 * GiB, dmUuid: 'mpath-36001405d27e5d898829468b90ce4ef8c' },
  { name: 'sdq', sizeMiB: 900 * GiB, bus: 'fc' },
  { name: 'nvme9n1', sizeMiB: 900 * GiB, bus: 'nvme-tcp' },
  { name: 'nvme8c8n1', sizeMiB: 900 * GiB, hidden: true },
  { name: 'sdr', sizeMiB: 900 * GiB, removable: true },
  { name: 'sds', sizeMiB: 2 * GiB },
  { name: 'sdt', sizeMiB: 'garbage\n' },
  { name: 'loop0', sizeMiB: 900 * GiB }, { name: 'sr0', sizeMiB: 900 * GiB }, { name: 'md127', sizeMiB: 900 * GiB },
];

/** `count` local disks: an NVMe drive on PCIe (behind an NVMe subsystem), then SATA and SAS disks. */
function localDisks(count: number): FakeBlockDevice[] {
  return Array.from({ length: count }, (_, i): FakeBlockDevice =>
    i === 0 ? { name: 'nvme0n1', sizeMiB: 500 * GiB, bus: 'nvme' } : { name: `sd${String.fromCharCode(96 + i)}`, sizeMiB: 500 * GiB, bus: i % 2 === 0 ? 'sas' : 'sata' });
}

function expectedInclude(devices: readonly FakeBlockDevice[], firmware: 'bios' | 'efi', rules: DiskRules, only?: readonly string[]): string {
  return renderPartInclude(planDisks(detectedDisks(devices), firmware, rules, only));
}

describe('%pre disk planner against fake /sys/block trees', () => {
  for (const role of roles) {
    for (const count of [1, 2, 4, 6, 8]) {
      for (const firmware of ['bios', 'efi'] as const) {
        it(`${role}, ${count} disk(s), ${firmware}: every shell writes the golden include the TypeScript planner renders`, async () => {
          const rules = diskRulesByRole[role];
          const devices = [...localDisks(count), ...distractors];
          const sysfs = fakeSysfs(devices, firmware, work);
          const expected = expectedInclude(devices, firmware, rules);
          expect(expected.startsWith(`# Striker disk plan: `)).toBe(true);
          for (const shell of shells) {
            const out = await runPlanner(rules, sysfs, shell);
            expect(out.exitCode, `${shell.join(' ')}: ${out.stderr}`).toBe(0);
            expect(out.include, shell.join(' ')).toBe(expected);
          }
          expect(expected).toBe(golden(`part-${role}-${count}disk-${firmware}.ks`, expected));
          expect(lintKickstart(expected, { fragment: true })).toEqual({ ok: true, problems: [] });
        });
      }
    }
  }

  it('skips each disk that is not a local install target for the reason the TypeScript planner gives', async () => {
    const devices = [...localDisks(2), ...distractors];
    const sysfs = fakeSysfs(devices, 'efi', work);
    const want = Object.fromEntries(detectedDisks(devices).flatMap((d) => {
      const why = unusableReason(d, diskRulesByRole.node);
      return why === undefined ? [] : [[d.name, why]];
    }));
    expect(want).toEqual({
      sdm: 'iscsi', sdn: 'usb', sdo: 'multipath', sdp: 'multipath', 'dm-0': 'not a disk', sdq: 'fc', nvme9n1: 'nvme-fabrics',
      nvme8c8n1: 'hidden', sdr: 'removable', sds: 'small', loop0: 'not a disk', sr0: 'not a disk', md127: 'not a disk',
    });
    for (const shell of shells) {
      const out = await runPlanner(diskRulesByRole.node, sysfs, shell);
      expect(skipped(out.stderr), shell.join(' ')).toEqual({ ...want, sdt: 'no size' });
    }
  });

  it('uses exactly the disks of an explicit list, in its order, as the TypeScript planner does', async () => {
    const devices = [...localDisks(4), ...distractors];
    const sysfs = fakeSysfs(devices, 'bios', work);
    const only = ['sdc', 'sdm', 'nvme0n1'];
    const expected = expectedInclude(devices, 'bios', diskRulesByRole.dr, only);
    expect(expected.split('\n')[0]).toBe(`# Striker disk plan: raid1 on 3 disk(s) (sdc,sdm,nvme0n1), bios, ${500 * GiB - 1089} MiB usable`);
    for (const shell of shells) {
      const out = await runPlanner(diskRulesByRole.dr, sysfs, shell, only);
      expect(out.exitCode, `${shell.join(' ')}: ${out.stderr}`).toBe(0);
      expect(out.include, shell.join(' ')).toBe(expected);
    }
  });

  it.each([
    [['sda', 'sdz'], 'disk sdz named in the disk list was not found'],
    [['sdt'], 'disk sdt named in the disk list was not found'],
    [['sds'], 'disk sds named in the disk list has 2048 MiB, less than 8192 MiB'],
  ])('fails with the TypeScript planner\'s message for the disk list %j', async (only, message) => {
    const devices = [...localDisks(2), ...distractors];
    const sysfs = fakeSysfs(devices, 'efi', work);
    expect(expectedInclude(devices, 'efi', diskRulesByRole.node, only)).toBe(`# Striker disk plan failed: ${message}\n`);
    for (const shell of shells) {
      const out = await runPlanner(diskRulesByRole.node, sysfs, shell, only);
      expect(out.exitCode).toBe(1);
      expect(out.include).toBe(`# Striker disk plan failed: ${message}\n`);
    }
  });

  it('fails the install (exit 1) with the reason in the include when there is no local disk', async () => {
    for (const shell of shells) {
      const out = await runPlanner(diskRulesByRole.node, fakeSysfs(distractors, 'bios', work), shell);
      expect(out.exitCode).toBe(1);
      expect(out.include).toBe('# Striker disk plan failed: no usable local disk of at least 8192 MiB found\n');
      expect(out.stderr).toContain('Striker disk plan failed');
    }
  });

  it('fails RAID6 over five 16.5 GiB disks for a Striker, counting /boot and the ESP on each, as the TypeScript planner does', async () => {
    const devices: FakeBlockDevice[] = ['sda', 'sdb', 'sdc', 'sdd', 'sde'].map((name) => ({ name, sizeMiB: 16.5 * GiB }));
    const rules = diskRulesByRole.striker;
    const expected = expectedInclude(devices, 'efi', rules);
    expect(expected).toBe('# Striker disk plan failed: raid6 over 5 disk(s) leaves 45624 MiB for root and swap, need at least 49168 MiB (each disk keeps 1688 MiB for /boot, the ESP and metadata)\n');
    for (const shell of shells) {
      const out = await runPlanner(rules, fakeSysfs(devices, 'efi', work), shell);
      expect(out.exitCode).toBe(1);
      expect(out.include).toBe(expected);
    }
  });
});
