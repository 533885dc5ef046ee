/**
 * The rendered corosync.conf read back by the real tools: pcs parses it to the planned nodes,
 * links and quorum options, and corosync's own check (`corosync -t`) accepts it. corosync -t
 * insists that one nodelist address is local and that the key file exists, so that check runs on
 * a pair planned on loopback addresses with a freshly generated authkey.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCommand } from '../../../striker/core/command/run-command.js';
import { generateCorosyncAuthkey, planCorosync, renderCorosyncConf } from '../../../cluster/corosync-plan.js';
import { parsePairPlanInput } from '../../../cluster/pair-input.js';
import { pairInput } from './pair-fixtures.js';

const work = mkdtempSync(join(tmpdir(), 'corosync-plan-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

interface PcsCorosyncConfig {
  cluster_name: string;
  transport: string;
  nodes: { name: string; nodeid: string; addrs: { addr: string; link: string }[] }[];
  links_options: Record<string, Record<string, string>>;
}

async function pcsReads(text: string, name: string): Promise<PcsCorosyncConfig> {
  const path = join(work, name);
  writeFileSync(path, text);
  const r = await runCommand(['pcs', 'cluster', 'config', 'show', '--output-format', 'json', '--corosync_conf', path], { timeoutMs: 30_000 });
  return JSON.parse(r.stdout) as PcsCorosyncConfig;
}

describe('corosync.conf read by pcs', () => {
  it.each([
    { networks: ['sn', 'ifn', 'mn'] as const, second: '10.199.10' },
    { networks: ['sn'] as const, second: '10.101.10' },
    { networks: ['ifn'] as const, second: '10.255.10' },
  ])('has both nodes on the BCN and $second', async ({ networks, second }) => {
    const config = await pcsReads(renderCorosyncConf(planCorosync(pairInput({ networks }))), `pcs-${networks.join('-')}.conf`);
    expect(config.cluster_name).toBe('an-anvil-01');
    expect(config.transport).toBe('KNET');
    expect(config.nodes.map((n) => ({ name: n.name, id: n.nodeid, addrs: n.addrs.map((a) => `${a.link}:${a.addr}`) }))).toEqual([
      { name: 'an-a01n01', id: '1', addrs: ['0:10.201.10.1', `1:${second}.1`] },
      { name: 'an-a01n02', id: '2', addrs: ['0:10.201.10.2', `1:${second}.2`] },
    ]);
    expect(config.links_options['0']).toMatchObject({ link_priority: '1', linknumber: '0' });
  });
});

describe('corosync -t', () => {
  const loopbackPair = parsePairPlanInput({
    ...pairInput(),
    nodes: pairInput().nodes.map((node, i) => ({ ...node, addresses: { bcn: `127.0.0.${i + 1}`, mn: `127.0.1.${i + 1}` } })),
  });

  async function check(text: string, name: string) {
    const path = join(work, name);
    writeFileSync(path, text);
    return runCommand(['corosync', '-t', '-c', path], { timeoutMs: 30_000, okExitCodes: [0, 8] });
  }

  it('accepts the planned configuration with its authkey', async () => {
    const keyFile = join(work, 'authkey');
    writeFileSync(keyFile, generateCorosyncAuthkey(), { mode: 0o600 });
    const r = await check(renderCorosyncConf(planCorosync(loopbackPair), { keyFile, logFile: join(work, 'corosync.log') }), 'lo.conf');
    expect(r.stderr).not.toContain('error');
    expect(r.exitCode).toBe(0);
  });

  it('refuses a configuration whose nodes have different link counts (the check can fail)', async () => {
    const keyFile = join(work, 'authkey');
    const text = renderCorosyncConf(planCorosync(loopbackPair), { keyFile, logFile: join(work, 'corosync.log') }).replace('        ring1_addr: 127.0.1.2\n', '');
    const r = await check(text, 'bad.conf');
    expect(r.exitCode).toBe(8);
    expect(r.stderr).toContain('Not all nodes have the same number of links');
  });
});
