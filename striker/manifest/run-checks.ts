/**
 * The checks of a manifest that need the network, as data: which command asks each BMC, PDU and
 * UPS whether it answers, and which hosts' agents must be alive. Pure: run-check-kind.ts runs the
 * probes through the command adapter and reads the agents' heartbeats.
 *
 * Passwords never reach argv (visible to every user in /proc): ipmitool reads its password from
 * the environment (`-E`, IPMI_PASSWORD), a fence agent reads its options from stdin (`name=value`
 * lines, fence-agents' documented input format), and `upsc` needs none to read a UPS.
 */
import type { HostKey, ManifestView } from './manifest-schema.js';
import { pairNames } from './names.js';
import { hostIdOfMachine, presentHosts } from './run-manifest.js';

export interface Probe {
  /** What is asked, in plain words: "BMC of an-a01n01 (10.201.11.1)". */
  what: string;
  argv: string[];
  env?: Record<string, string>;
  input?: string;
  /** The answer that means "it answers"; the probe failed when stdout does not match. */
  expect: RegExp;
}

export interface AgentExpectation {
  host: HostKey;
  hostName: string;
  hostId: string;
}

export interface CheckPlan {
  probes: Probe[];
  agents: AgentExpectation[];
  /** Devices not probed here, and why (said in the job's messages). */
  skipped: string[];
}

/** Secrets by slot, as striker/manifest's storage opens them. */
export type SecretsBySlot = ReadonlyMap<string, string>;

export function planChecks(m: ManifestView, secrets: SecretsBySlot): CheckPlan {
  const names = pairNames(m.pair);
  const probes: Probe[] = [];
  const skipped: string[] = [];
  const hosts = presentHosts(m);
  for (const host of hosts) {
    const h = m.hosts[host]!;
    const hostName = names.hosts[host].short;
    if (h.ipmi !== undefined) {
      const p = h.ipmi.parameters ?? {};
      const lanplus = p.lanplus === undefined ? true : p.lanplus === true || p.lanplus === 'true' || p.lanplus === '1' || p.lanplus === 1;
      const argv = ['ipmitool', '-I', lanplus ? 'lanplus' : 'lan'];
      if (lanplus) argv.push('-C', String(p.cipher ?? 3));
      argv.push('-H', h.ipmi.address, '-p', String(p.ipport ?? 623), '-U', h.ipmi.username, '-E', 'chassis', 'power', 'status');
      probes.push({
        what: `BMC of ${hostName} (${h.ipmi.address})`,
        argv,
        env: { IPMI_PASSWORD: secrets.get(`hosts.${host}.ipmi`) ?? '' },
        expect: /Chassis Power is (on|off)/i,
      });
    }
    for (const [deviceName, plug] of Object.entries(h.pduOutlets ?? {})) {
      const device = m.fenceDevices.find((d) => d.name === deviceName);
      if (device === undefined) continue;
      const lines = [`action=status`, `plug=${plug}`];
      for (const [name, value] of Object.entries(device.parameters)) {
        if (name === 'action' || name === 'plug' || name === 'port') continue;
        lines.push(`${name}=${String(value)}`);
      }
      const password = secrets.get(`fenceDevices.${device.name}`);
      if (password !== undefined) lines.push(`password=${password}`);
      probes.push({
        what: `PDU ${device.name} outlet ${plug} of ${hostName}`,
        argv: [device.agent],
        input: `${lines.join('\n')}\n`,
        expect: /Status: (ON|OFF)/i,
      });
    }
  }
  for (const ups of m.upses) {
    if (ups.source !== 'nut') {
      skipped.push(`UPS ${ups.name} (${ups.address}): an SNMP UPS is read by ScanCore, not probed here`);
      continue;
    }
    const at = `${ups.upsName ?? ups.name}@${ups.address}${ups.port === undefined ? '' : `:${ups.port}`}`;
    probes.push({
      what: `UPS ${ups.name} (${at})`,
      argv: ['upsc', at, 'ups.status'],
      expect: /\S/,
    });
  }
  const agents = hosts.map((host) => ({ host, hostName: names.hosts[host].short, hostId: hostIdOfMachine(m.hosts[host]!.machine) }));
  return { probes, agents, skipped };
}

/** A problem found by a check, in words that name the host or device. */
export function agentProblem(a: AgentExpectation, lastHeartbeatAt: Date | null, now: Date, staleSeconds: number): string | undefined {
  if (lastHeartbeatAt === null) return `agent of ${a.hostName} (${a.hostId}) has never reported`;
  const age = Math.floor((now.getTime() - lastHeartbeatAt.getTime()) / 1000);
  return age > staleSeconds ? `agent of ${a.hostName} (${a.hostId}) last reported ${age} s ago (more than ${staleSeconds} s)` : undefined;
}
