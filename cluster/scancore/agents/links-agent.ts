/**
 * Network links: each administratively-up interface with or without carrier, bonds and their
 * members, and the addresses on each interface. Loopback and interfaces an admin set down are
 * not reported (a link nobody configured is not a failure).
 */
import { parseIpAddr, parseIpLink, type Link, type LinkAddress } from '../parsers/links.js';
import type { Reading } from '../reading.js';
import type { ScanAgent, ScanContext } from './scan-agent.js';

export const ipLinkArgv = ['ip', '-j', '-d', 'link', 'show'] as const;
export const ipAddrArgv = ['ip', '-j', 'addr', 'show'] as const;

export function linkReadings(links: readonly Link[], addresses: readonly LinkAddress[]): Reading[] {
  const readings: Reading[] = [];
  const live = links.filter((l) => !l.loopback && l.adminUp);
  for (const l of live) {
    readings.push({ agent: 'links', metric: 'link.state', subject: l.name, value: l.operState, status: l.carrier ? 'ok' : 'critical', ...(l.carrier ? {} : { message: `${l.name} has no carrier (${l.operState})` }) });
    if (l.bondMember !== null) {
      const up = l.bondMember.miiStatus === 'UP';
      readings.push({ agent: 'links', metric: 'link.bond-member', subject: l.name, value: `${l.master ?? '?'} ${l.bondMember.state} ${l.bondMember.miiStatus}`, status: up ? 'ok' : 'warning', ...(up ? {} : { message: `${l.name} in ${l.master ?? 'its bond'} is down` }) });
    }
  }
  for (const bond of live.filter((l) => l.kind === 'bond')) {
    const members = links.filter((l) => l.master === bond.name && l.bondMember !== null);
    const up = members.filter((m) => m.bondMember?.miiStatus === 'UP').length;
    const status = up === 0 ? 'critical' : up < members.length ? 'warning' : 'ok';
    readings.push({ agent: 'links', metric: 'link.bond', subject: bond.name, value: up, unit: `of ${members.length} members up`, status, ...(status === 'ok' ? {} : { message: `${bond.name} has ${up} of ${members.length} members up` }) });
  }
  for (const l of live) {
    const mine = addresses.filter((a) => a.name === l.name).map((a) => `${a.address}/${a.prefixLength}`);
    if (mine.length > 0) readings.push({ agent: 'links', metric: 'link.addresses', subject: l.name, value: mine.join(' '), status: 'ok' });
  }
  return readings;
}

export const linksAgent: ScanAgent = {
  name: 'links',
  runsOn: 'host',
  applies: () => true,
  async scan({ run, timeoutMs, signal }: ScanContext): Promise<Reading[]> {
    const links = parseIpLink((await run(ipLinkArgv, { timeoutMs, signal })).stdout);
    const addresses = parseIpAddr((await run(ipAddrArgv, { timeoutMs, signal })).stdout);
    return linkReadings(links, addresses);
  },
};
