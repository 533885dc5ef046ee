import { describe, expect, it } from 'vitest';
import { planProvisioning } from './provision-plan.js';
import type { Server } from './server-record.js';
import { parseServersConfig } from './servers-config.js';

const server = (over: Partial<Server> = {}): Server => ({
  id: '0b6c3f7e-5d1a-4c49-9a43-2f4d9c1e8a10', name: 'srv01', anvil: 'an-anvil-01', vcpus: 1, memoryMiB: 512, diskGiB: 4,
  installIso: null, driverIso: null, installIsoFile: null, driverIsoFile: null, osVariant: 'rhel9.4', networks: [{ network: 'ifn1' }],
  hosts: [
    { key: 'node1', name: 'an-a01n01', hostId: '52-54-00-00-00-01', snAddress: '10.101.10.1', mnAddress: '10.199.10.1' },
    { key: 'node2', name: 'an-a01n02', hostId: '52-54-00-00-00-02', snAddress: '10.101.10.2', mnAddress: '10.199.10.2' },
  ],
  drbdMinor: 0, drbdPort: 7788, preferredNode: 'node2', liveMigration: true, state: 'provisioning', runningOn: null,
  provisionStep: 'allocated', provisionJob: null, provisionHostJobs: null, provisionError: null, createdAt: new Date(0), modifiedAt: new Date(0),
  ...over,
});

describe('planProvisioning', () => {
  const config = parseServersConfig({ volumeGroup: 'vg0' });

  it("node1 makes the pacemaker resource: preferred node and each node's MN address", () => {
    const plan = planProvisioning(server(), config);
    expect(plan.node1.payload.pacemaker).toEqual({
      liveMigration: true, preferredNode: 'an-a01n02',
      migrationHosts: [{ node: 'an-a01n01', address: '10.199.10.1' }, { node: 'an-a01n02', address: '10.199.10.2' }],
    });
    expect(plan.node2.payload.pacemaker).toBeUndefined();
    expect(plan.node1.payload.domainXml).toBe(plan.node2.payload.domainXml);
  });

  it('DRBD runs for real unless the configuration sets its dry-run mode: payloads and the domain disk', () => {
    const real = planProvisioning(server(), parseServersConfig({}));
    expect([real.node1.payload.drbdDryRun, real.node2.payload.drbdDryRun]).toEqual([false, false]);
    expect(real.domainXml).toContain("<source dev='/dev/drbd0'/>");
    const dry = planProvisioning(server(), parseServersConfig({ drbdDryRun: true }));
    expect([dry.node1.payload.drbdDryRun, dry.node2.payload.drbdDryRun]).toEqual([true, true]);
    expect(dry.domainXml).not.toContain('/dev/drbd0');
  });

  it('hosts stored before MN addresses were kept (or a pair without an MN) give no migration addresses', () => {
    const hosts = server().hosts.map(({ mnAddress: _, ...h }) => h);
    expect(planProvisioning(server({ hosts }), config).node1.payload.pacemaker?.migrationHosts).toEqual([]);
  });
});
