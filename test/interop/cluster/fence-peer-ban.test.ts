/**
 * The fence-peer handler's ban commands run against a CIB file with the real tools (CIB_file):
 * the ban moves the resource off the peer and keeps it off, the CIB stays valid, running the ban
 * twice changes nothing more, and lifting it lets the resource go back.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCommand } from '../../../striker/core/command/run-command.js';
import { banCommands, unbanCommands } from '../../../cluster/fence-peer/ban-commands.js';
import { child, descendants, parseXml } from '../../../cluster/pacemaker-xml.js';
import { applyPcs, emptyCib } from './pcs-sandbox.js';

const work = mkdtempSync(join(tmpdir(), 'fence-peer-ban-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const cib = join(work, 'cib.xml');
const me = 'an-a01n01';
const peer = 'an-a01n02';

async function onCib(argv: string[]) {
  return runCommand(argv, { timeoutMs: 30_000, env: { CIB_file: cib } });
}

/** Where srv01 runs after the cluster settles, by crm_simulate (saved back into the file). */
async function settle(): Promise<string[]> {
  const r = await runCommand(['crm_simulate', '-S', '-x', cib, '-O', cib, '--output-as=xml'], { timeoutMs: 60_000 });
  const revised = child(parseXml(r.stdout, 'crm_simulate output'), 'revised_cluster_status');
  const srv = descendants(revised!, 'resource').find((res) => res.attrs['id'] === 'srv01');
  return descendants(srv!, 'node').map((n) => n.attrs['name'] as string);
}

beforeAll(async () => {
  await emptyCib(cib, [me, peer]);
  await applyPcs(cib, [
    { args: ['property', 'set', 'stonith-enabled=false'], summary: '' },
    { args: ['resource', 'create', 'srv01', 'ocf:heartbeat:Dummy', 'op', 'monitor', 'interval=10s'], summary: '' },
    { args: ['constraint', 'location', 'srv01', 'prefers', `${peer}=100`], summary: '' },
  ]);
  await runCommand(['crm_simulate', '-S', '-x', cib, '--node-up', me, '--node-up', peer, '--quorum', 'true', '-O', cib], { timeoutMs: 60_000 });
}, 120_000);

describe('ban and unban', () => {
  it('srv01 runs on the peer it prefers before any ban', async () => {
    expect(await settle()).toEqual([peer]);
  });

  it('the ban moves srv01 off the peer; placing it twice is harmless; the CIB stays valid', async () => {
    for (const argv of [...banCommands('srv01', peer), ...banCommands('srv01', peer)]) await onCib(argv);
    expect(await settle()).toEqual([me]);
    const verify = await runCommand(['crm_verify', '--xml-file', cib, '-V'], { timeoutMs: 30_000, okExitCodes: [0, 78] });
    expect(verify.stderr).toBe('');
    const text = (await onCib(['cibadmin', '--query', '--scope', 'constraints'])).stdout;
    expect(descendants(parseXml(text, 'constraints'), 'rsc_location').filter((l) => l.attrs['id'] === 'striker-drbd-fence-srv01')).toHaveLength(1);
  });

  it('unfence lifts the ban and srv01 may go back to the peer', async () => {
    for (const argv of unbanCommands('srv01', peer)) await onCib(argv);
    expect(await settle()).toEqual([peer]);
  });

  it('refuses names that are not a resource or host name', () => {
    expect(() => banCommands('srv 01', peer)).toThrow(/DRBD resource name/);
    expect(() => banCommands('srv01', 'An_Peer')).toThrow(/peer node name/);
  });
});
