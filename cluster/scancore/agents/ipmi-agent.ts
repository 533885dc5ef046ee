/** IPMI: sensor values and thresholds, chassis power state and the SEL, read from the node's BMC. */
import { parseChassisPower, parseIpmiSensor, parseSelElist } from '../parsers/ipmi.js';
import type { Reading } from '../reading.js';
import type { IpmiTarget, ScanAgent, ScanContext } from './scan-agent.js';

export function ipmitoolArgv(target: IpmiTarget, ...command: string[]): string[] {
  return ['ipmitool', '-I', 'lanplus', '-C', String(target.cipher ?? 3), '-H', target.address, '-p', String(target.port ?? 623), '-U', target.username, '-E', ...command];
}

export const ipmiAgent: ScanAgent = {
  name: 'ipmi',
  runsOn: 'striker',
  applies: (targets) => targets.ipmi !== undefined,
  async scan({ run, timeoutMs, targets, signal }: ScanContext): Promise<Reading[]> {
    const target = targets.ipmi;
    if (target === undefined) return [];
    const options = { timeoutMs, signal, env: { IPMI_PASSWORD: target.password } };
    const sensors = parseIpmiSensor((await run(ipmitoolArgv(target, 'sensor'), options)).stdout);
    const power = parseChassisPower((await run(ipmitoolArgv(target, 'chassis', 'power', 'status'), options)).stdout);
    const sel = parseSelElist((await run(ipmitoolArgv(target, 'sel', 'elist'), options)).stdout);
    return [
      ...sensors.map((s): Reading => ({
        agent: 'ipmi', metric: `ipmi.${s.kind}`, subject: s.name, value: s.value, unit: s.unit, status: s.status,
        ...(s.status === 'ok' ? {} : { message: `${s.name} reads ${s.value ?? 'nothing'} ${s.unit} (${s.rawStatus})`.replace(/\s+\(/, ' (') }),
      })),
      { agent: 'ipmi', metric: 'ipmi.power', subject: 'chassis', value: power, status: 'ok' },
      { agent: 'ipmi', metric: 'ipmi.sel', subject: 'entries', value: sel.length, status: 'ok' },
    ];
  },
};
