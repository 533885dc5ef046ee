/**
 * applyCibPlan on a CIB file with the real pcs (the push copies the file, as `pcs cluster cib-push`
 * replaces the live CIB): the first run builds the plan, a second run of the same plan finds
 * nothing to change and pushes nothing, and moving the servers' node changes only the delay.
 */
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { CommandRunner } from '../../../striker/core/command/run-command.js';
import { runCommand } from '../../../striker/core/command/run-command.js';
import { planCib } from '../../../cluster/cib-plan.js';
import { applyCibPlan, readCibFencing, type CibAccess } from '../../../cluster/reconcile.js';
import { lookupSecret, pairInput } from './pair-fixtures.js';
import { emptyCib, quote, runSandboxed } from './pcs-sandbox.js';

const work = mkdtempSync(join(tmpdir(), 'reconcile-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const live = join(work, 'live.xml');
const nodes = ['an-a01n01', 'an-a01n02'];

/** pcs runs where fence_delay's metadata can be read; everything else runs as it is. */
const run: CommandRunner = async (argv, options) => (argv[0] === 'pcs' ? runSandboxed([argv.map(quote).join(' ')], { timeoutMs: options.timeoutMs }) : runCommand(argv, options));

const pushes: string[] = [];
const fileCib: CibAccess = {
  query: async () => readFile(live, 'utf8'),
  push: async (copy, original) => {
    pushes.push(original);
    copyFileSync(copy, live);
  },
};

describe('applyCibPlan on a CIB file', () => {
  const plan = planCib(pairInput({ shape: 'ipmi+pdu-pair+delay' }), lookupSecret);

  it('builds the plan with one push, and the CIB then holds it', async () => {
    await emptyCib(live, nodes);
    const { operations } = await applyCibPlan(plan, nodes, fileCib, run);
    expect(operations.length).toBeGreaterThan(plan.devices.length);
    expect(pushes).toHaveLength(1);
    const cib = readCibFencing(await readFile(live, 'utf8'));
    expect(cib.levels).toEqual(plan.levels);
    expect(cib.devices.map((d) => d.id).sort()).toEqual(plan.devices.map((d) => d.id).sort());
    const verify = await runCommand(['crm_verify', '--xml-file', live], { timeoutMs: 60_000, okExitCodes: [0, 78] });
    expect(verify.stderr).not.toMatch(/error/i);
  }, 600_000);

  it('a second run of the same plan changes nothing and pushes nothing', async () => {
    const { operations } = await applyCibPlan(plan, nodes, fileCib, run);
    expect(operations).toEqual([]);
    expect(pushes).toHaveLength(1);
  }, 120_000);

  it('when the servers move, only the delay moves', async () => {
    const moved = planCib(pairInput({ shape: 'ipmi+pdu-pair+delay', preferred: 2 }), lookupSecret);
    const { operations } = await applyCibPlan(moved, nodes, fileCib, run);
    expect(operations.map((o) => o.args.join(' '))).toEqual([
      'stonith update fence-an-a01n01-ipmi pcmk_delay_base=',
      'stonith update fence-an-a01n02-ipmi pcmk_delay_base=15s',
    ]);
    expect((await applyCibPlan(moved, nodes, fileCib, run)).operations).toEqual([]);
  }, 300_000);
});
