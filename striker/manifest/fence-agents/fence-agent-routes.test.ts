/**
 * GET /api/fence-agents and /api/fence-agents/:agent through the real HTTP app, over a catalog of
 * real installed agents: the list, a form generated from fence_apc_snmp's metadata, 400 for a bad
 * name (the field named), 404 for an agent that is not installed, and a viewer session required.
 */
import { copyFile, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUser, createTestApp, loginAs, type Login, type TestApp } from '../../../test/support/test-app.js';
import { createTestDatabase } from '../../../test/support/test-database.js';
import { runCommand } from '../../core/command/run-command.js';
import { FenceAgentCatalog, fenceAgentRoutes, type FenceAgentListResponse, type FenceAgentResponse } from './index.js';

let t: TestApp;
let viewer: Login;
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fence-routes-'));
  await mkdir(join(dir, 'sbin'));
  for (const agent of ['fence_ipmilan', 'fence_apc_snmp']) await copyFile(`/usr/sbin/${agent}`, join(dir, 'sbin', agent));
  const catalog = new FenceAgentCatalog({ run: runCommand, agentDir: join(dir, 'sbin') });
  const database = await createTestDatabase();
  t = await createTestApp({ plugins: [(app) => fenceAgentRoutes(app, { catalog })] }, database);
  await addUser(t, 'vic', 'viewer');
  viewer = await loginAs(t, 'vic');
}, 60_000);

afterAll(async () => {
  await t?.close();
  await rm(dir, { recursive: true, force: true });
});

const get = (url: string, login?: Login) => t.app.inject({ method: 'GET', url, ...(login ? { headers: login.headers } : {}) });

describe('fence agent routes', () => {
  it('lists the installed agents', async () => {
    const res = await get('/api/fence-agents', viewer);
    expect(res.statusCode, res.body).toBe(200);
    expect((res.json() as FenceAgentListResponse).agents).toEqual([
      { name: 'fence_apc_snmp', description: 'Fence agent for APC, Tripplite PDU over SNMP' },
      { name: 'fence_ipmilan', description: 'Fence agent for IPMI' },
    ]);
  });

  it('answers the form of one agent', async () => {
    const res = await get('/api/fence-agents/fence_apc_snmp', viewer);
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json() as FenceAgentResponse;
    expect(body.form.agent).toBe('fence_apc_snmp');
    expect(body.form.fields[0]).toMatchObject({ name: 'ip', required: true, deprecatedNames: ['ipaddr'] });
    expect(body.form.fields.find((f) => f.name === 'password')).toMatchObject({ secret: true });
    expect(body.actions).toContain('reboot');
    expect(body.outletPerHost).toBe(true);
    const ipmi = (await get('/api/fence-agents/fence_ipmilan', viewer)).json() as FenceAgentResponse;
    expect(ipmi.outletPerHost).toBe(false);
  });

  it('400 names the field for a bad agent name; 404 for one not installed', async () => {
    const bad = await get(`/api/fence-agents/${encodeURIComponent('../ipmitool')}`, viewer);
    expect(bad.statusCode).toBe(400);
    expect((bad.json() as { error: { details: { problems: { path: string }[] } } }).error.details.problems[0]?.path).toBe('agent');
    const missing = await get('/api/fence-agents/fence_virsh', viewer);
    expect(missing.statusCode).toBe(404);
    expect(missing.body).toMatch(/fence agent fence_virsh does not exist/);
  });

  it('requires a session', async () => {
    expect((await get('/api/fence-agents')).statusCode).toBe(401);
  });
});
