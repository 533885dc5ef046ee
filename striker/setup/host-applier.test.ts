/**
 * The real host applier under a scratch root: every planned file lands with its mode, and
 * commands go through the command adapter (a failing one surfaces as CommandError).
 */
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCommand } from '../core/command/run-command.js';
import { systemHostApplier } from './host-applier.js';
import { planNetwork } from './network-plan.js';
import { sampleIdentity } from './sample-identity.js';

const root = mkdtempSync(join(tmpdir(), 'striker-host-root-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('system host applier', () => {
  it('writes every planned file under its root with the planned mode', async () => {
    const applier = systemHostApplier(runCommand, root);
    const plan = planNetwork(sampleIdentity());
    for (const f of plan.files) await applier.writeFile(f.path, f.content, f.mode);
    for (const f of plan.files) {
      const path = join(root, f.path);
      expect(readFileSync(path, 'utf8')).toBe(f.content);
      expect(statSync(path).mode & 0o777).toBe(f.mode);
    }
    // Writing again replaces the file whole.
    await applier.writeFile('/etc/hostname', 'other\n', 0o644);
    expect(readFileSync(join(root, 'etc/hostname'), 'utf8')).toBe('other\n');
  });

  it('runs commands through the command adapter and reports failures', async () => {
    const applier = systemHostApplier(runCommand, root);
    await applier.run(['true'], new AbortController().signal);
    await expect(applier.run(['false'], new AbortController().signal)).rejects.toMatchObject({ code: 'COMMAND_FAILED' });
  });
});
