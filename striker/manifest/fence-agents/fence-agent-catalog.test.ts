/**
 * The catalog against real installed agents (copies of fence-agents' own programs in a temporary
 * agent directory, run through the real command adapter): it lists only agents, reads each once,
 * keeps the XML on disk for the next start, and runs an agent again when its program changes.
 */
import { chmod, copyFile, mkdir, mkdtemp, readFile, rename, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCommand, type CommandRunner } from '../../core/command/run-command.js';
import { NotFoundError, StrikerError, ValidationError } from '../../core/errors/index.js';
import { FenceAgentCatalog } from './fence-agent-catalog.js';
import { fenceParameterCheck } from './fence-form.js';

let dir: string;
let agentDir: string;
let cacheDir: string;
const runs: string[] = [];
const run: CommandRunner = (argv, options) => { runs.push(argv[0]!); return runCommand(argv, options); };
const catalog = () => new FenceAgentCatalog({ run, agentDir, cacheDir });

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fence-catalog-'));
  agentDir = join(dir, 'sbin');
  cacheDir = join(dir, 'data', 'fence-agents');
  await mkdir(agentDir);
  for (const agent of ['fence_ipmilan', 'fence_apc_snmp', 'fence_ack_manual']) await copyFile(`/usr/sbin/${agent}`, join(agentDir, agent));
  await writeFile(join(agentDir, 'fence_noexec'), '#!/bin/sh\n');
  await writeFile(join(agentDir, 'README'), 'not an agent\n');
  await copyFile('/usr/sbin/fence_virsh', join(agentDir, 'fence_Virsh'));
  await chmod(join(agentDir, 'fence_noexec'), 0o644);
});

afterAll(async () => { await rm(dir, { recursive: true, force: true }); });

describe('FenceAgentCatalog', () => {
  it('lists the installed agents whose metadata reads, each run once', async () => {
    const c = catalog();
    expect(await c.installed()).toEqual(['fence_ack_manual', 'fence_apc_snmp', 'fence_ipmilan', 'fence_noexec']);
    expect(await c.list()).toEqual([
      { name: 'fence_apc_snmp', description: 'Fence agent for APC, Tripplite PDU over SNMP' },
      { name: 'fence_ipmilan', description: 'Fence agent for IPMI' },
    ]);
    expect(runs.sort()).toEqual(['fence_ack_manual', 'fence_apc_snmp', 'fence_ipmilan'].map((a) => join(agentDir, a)));
    await c.list();
    expect((await c.get('fence_ipmilan')).parameters.length).toBe(41);
    expect(runs).toHaveLength(3);
    expect(c.known('fence_apc_snmp')?.name).toBe('fence_apc_snmp');
  });

  it('requests that arrive together run an agent once', async () => {
    runs.length = 0;
    const c = new FenceAgentCatalog({ run, agentDir });
    const forms = await Promise.all([c.get('fence_apc_snmp'), c.get('fence_apc_snmp'), c.list()]);
    expect(forms[0]).toBe(forms[1]);
    expect(runs.filter((r) => r.endsWith('/fence_apc_snmp'))).toHaveLength(1);
  });

  it('refuses a name that is not an agent name before looking, and answers not found for one not installed', async () => {
    const c = catalog();
    for (const bad of ['../../bin/sh', '/usr/sbin/fence_ipmilan', 'fence_ipmilan; reboot', 'fence_Virsh', 'ipmilan']) {
      await expect(c.get(bad)).rejects.toBeInstanceOf(ValidationError);
    }
    await expect(c.get('fence_virsh')).rejects.toBeInstanceOf(NotFoundError);
    await expect(c.get('fence_noexec')).rejects.toBeInstanceOf(NotFoundError);
  });

  it('names the failure of an agent whose metadata does not read', async () => {
    const error = await catalog().get('fence_ack_manual').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StrikerError);
    expect((error as StrikerError).code).toBe('COMMAND_FAILED');
    expect((error as StrikerError).message).toMatch(/fence_ack_manual/);
  });

  it('a new catalog (the next start) reads the disk cache and runs nothing', async () => {
    runs.length = 0;
    const c = catalog();
    expect((await c.list()).map((a) => a.name)).toEqual(['fence_apc_snmp', 'fence_ipmilan']);
    expect(runs).toEqual([join(agentDir, 'fence_ack_manual')]);
    const stored = JSON.parse(await readFile(join(cacheDir, 'fence_ipmilan.json'), 'utf8')) as { key: string; xml: string };
    expect(stored.xml).toMatch(/^<\?xml/);
  });

  it('runs an agent again when its program changes (new mtime, or a replaced file), and ignores a damaged cache', async () => {
    const c = catalog();
    await c.get('fence_ipmilan');
    runs.length = 0;
    const later = new Date(Date.now() + 60_000);
    await utimes(join(agentDir, 'fence_ipmilan'), later, later);
    await c.get('fence_ipmilan');
    expect(runs).toEqual([join(agentDir, 'fence_ipmilan')]);
    await c.get('fence_ipmilan');
    expect(runs).toHaveLength(1);

    // A package upgrade writes a new file in place of the old one: another inode.
    await copyFile('/usr/sbin/fence_ipmilanplus', join(agentDir, 'fence_ipmilan.new'));
    await rename(join(agentDir, 'fence_ipmilan.new'), join(agentDir, 'fence_ipmilan'));
    await c.get('fence_ipmilan');
    expect(runs).toHaveLength(2);

    await writeFile(join(cacheDir, 'fence_apc_snmp.json'), '{"key": "x", "xml": 3');
    runs.length = 0;
    expect((await catalog().get('fence_apc_snmp')).name).toBe('fence_apc_snmp');
    expect(runs).toEqual([join(agentDir, 'fence_apc_snmp')]);
  });

  it('an agent removed from the directory is gone from the list', async () => {
    const c = catalog();
    await c.list();
    await rm(join(agentDir, 'fence_apc_snmp'));
    expect((await c.list()).map((a) => a.name)).toEqual(['fence_ipmilan']);
    await expect(c.get('fence_apc_snmp')).rejects.toBeInstanceOf(NotFoundError);
  });

  it('gives the manifest validator a synchronous check over the agents read', async () => {
    const c = catalog();
    await c.load();
    const check = fenceParameterCheck((agent) => c.known(agent));
    expect(check('fence_ipmilan', { ip: '10.201.13.1', username: 'admin', lanplus: 1 })).toEqual([]);
    expect(check('fence_ipmilan', { ip: '10.201.13.1', bogus: 'x' })).toEqual([{ path: 'bogus', message: "fence_ipmilan has no parameter 'bogus'" }]);
    expect(check('fence_apc_snmp', { ip: 'pdu' })).toEqual([{ path: '', message: 'fence_apc_snmp is not a fence agent installed on this Striker' }]);
  });
});
