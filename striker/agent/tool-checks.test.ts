import { describe, expect, it } from 'vitest';
import { CommandError } from '../core/command/command-error.js';
import type { CommandRunner } from '../core/command/run-command.js';
import { checkedTools, checkTools, versionIn } from './tool-checks.js';

const spec = (tool: string) => checkedTools.find((t) => t.tool === tool)!;

describe('tool versions', () => {
  it.each([
    ['pcs', '0.11.7\n', '0.11.7'],
    ['drbdadm', "DRBDADM_BUILDTAG=GIT-hash:\\ 1a2b\nDRBDADM_API_VERSION=2\nDRBD_KERNEL_VERSION_CODE=0x090200\nDRBDADM_VERSION_CODE=0x091a00\nDRBDADM_VERSION=9.26.0\n", '9.26.0'],
    ['virsh', '9.0.0\n', '9.0.0'],
    ['fence_ipmilan', '4.10.0\n', '4.10.0'],
    ['ipmitool', 'ipmitool version 1.8.18\n', '1.8.18'],
    ['crm_mon', 'Pacemaker 2.1.6-9.el9\nWritten by Andrew Beekhof and the Pacemaker project contributors\n', '2.1.6-9.el9'],
    ['pcs', 'Usage: pcs [-f file]\n', null],
  ])('%s: %j → %s', (tool, output, version) => {
    expect(versionIn(spec(tool), output)).toBe(version);
  });

  it('reports a tool that cannot start as absent and one that fails as present without a version', async () => {
    const run: CommandRunner = async (argv) => {
      if (argv[0] === 'pcs') return { argv, exitCode: 0, stdout: '0.11.7\n', stderr: '', durationMs: 1 };
      if (argv[0] === 'virsh') throw new CommandError({ argv, exitCode: 3, stderr: 'boom', stdout: '', failure: 'exit', reason: 'exited with code 3' });
      throw new CommandError({ argv, exitCode: undefined, stderr: '', stdout: '', failure: 'spawn', reason: 'could not start (ENOENT)' });
    };
    const checks = await checkTools(run);
    expect(checks.find((c) => c.tool === 'pcs')).toEqual({ tool: 'pcs', present: true, version: '0.11.7' });
    expect(checks.find((c) => c.tool === 'virsh')).toEqual({ tool: 'virsh', present: true, version: null });
    expect(checks.find((c) => c.tool === 'ipmitool')).toEqual({ tool: 'ipmitool', present: false, version: null });
    expect(checks.map((c) => c.tool)).toEqual(['pcs', 'drbdadm', 'virsh', 'fence_ipmilan', 'ipmitool', 'crm_mon']);
  });
});
