/**
 * Every agent the installed fence-agents package ships, read through the catalog (each program run
 * with `-o metadata`): all but two give metadata the parser accepts and a form without the
 * parameters the cluster supplies. The two: fence_ack_manual is fence_manual's helper and prints
 * usage; fence_legacy prints the metadata of fence_pcmk, another name, which the catalog refuses.
 */
import { describe, expect, it } from 'vitest';
import { runCommand } from '../../../striker/core/command/run-command.js';
import { FenceAgentCatalog, fenceForm } from '../../../striker/manifest/fence-agents/index.js';

describe('the installed fence agents', () => {
  it('each reads and gives a form', async () => {
    const catalog = new FenceAgentCatalog({ run: runCommand, agentDir: '/usr/sbin', concurrency: 2 });
    const installed = await catalog.installed();
    const listed = await catalog.list();
    expect(installed.filter((a) => !listed.some((l) => l.name === a))).toEqual(['fence_ack_manual', 'fence_legacy']);
    await expect(catalog.get('fence_legacy')).rejects.toThrow(/prints the metadata of fence_pcmk/);
    expect(listed.map((l) => l.name)).toEqual(expect.arrayContaining(['fence_ipmilan', 'fence_apc_snmp', 'fence_virsh', 'fence_redfish']));
    for (const { name } of listed) {
      const form = fenceForm(catalog.known(name)!);
      expect(form.fields.length, name).toBeGreaterThan(0);
      expect(form.fields.map((f) => f.name), name).not.toContain('action');
    }
  }, 180_000);
});
