/**
 * The fence_delay Striker ships (cluster/fence-delay, the last fencing level of a pair) read through
 * the same catalog as the installed agents: its form and parameter check come from its own
 * `-o metadata`, like every other agent's.
 */
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runCommand } from '../../core/command/run-command.js';
import { FenceAgentCatalog } from './fence-agent-catalog.js';
import { checkFenceParameters, fenceForm } from './fence-form.js';

const agentDir = fileURLToPath(new URL('../../../cluster/fence-delay', import.meta.url));

describe("Striker's fence_delay", () => {
  it('gives a form from its own metadata: a wait in seconds, defaulting to 60', async () => {
    const metadata = await new FenceAgentCatalog({ run: runCommand, agentDir }).get('fence_delay');
    const wait = fenceForm(metadata).fields.find((f) => f.name === 'wait');
    expect(wait).toMatchObject({ type: 'second', default: '60', required: false, secret: false });
  });

  it('takes a wait and refuses a parameter it does not know', async () => {
    const metadata = await new FenceAgentCatalog({ run: runCommand, agentDir }).get('fence_delay');
    expect(checkFenceParameters(metadata, { wait: '30' }).problems).toEqual([]);
    expect(checkFenceParameters(metadata, { wait: '30', ipaddr: '10.0.0.1' }).problems.map((p) => p.path)).toEqual(['ipaddr']);
  });
});
