/**
 * Parsers for iproute2's JSON output: `ip -j -d link` (state, flags, bond and bond-member details)
 * and `ip -j addr` (addresses per interface). Fixtures are captured from iproute2 6.1 on this
 * machine and in a network namespace with veth pairs (test/fixtures/scancore/links).
 */
import { arrayAt, objectAt, optionalStringAt, parseJsonOutput, stringAt, numberAt, type JsonObject } from './decode-json.js';

export interface Link {
  name: string;
  /** The kernel's RFC 2863 operstate: UP, DOWN, LOWERLAYERDOWN, DORMANT, UNKNOWN… */
  operState: string;
  /** Administratively up (the UP flag). */
  adminUp: boolean;
  /** The driver has a carrier (the LOWER_UP flag). */
  carrier: boolean;
  mtu: number;
  mac: string | null;
  /** The bond or bridge this link is enslaved to. */
  master: string | null;
  /** `bond`, `bridge`, `veth`, `vlan`… from `-d` linkinfo; null for a plain NIC. */
  kind: string | null;
  /** For a bond member: its state in the bond (ACTIVE/BACKUP) and MII status (UP/DOWN). */
  bondMember: { state: string; miiStatus: string } | null;
  loopback: boolean;
}

export interface LinkAddress {
  name: string;
  family: 'inet' | 'inet6';
  address: string;
  prefixLength: number;
}

const linkWhat = 'ip -j link output';
const addrWhat = 'ip -j addr output';

export function parseIpLink(text: string): Link[] {
  return arrayAt(parseJsonOutput(text, linkWhat), linkWhat, '(root)').map((l, i) => {
    const p = `[${i}]`;
    const link = objectAt(l, linkWhat, p);
    const flags = arrayAt(link.flags, linkWhat, `${p}.flags`).map(String);
    const info = link.linkinfo === undefined ? null : objectAt(link.linkinfo, linkWhat, `${p}.linkinfo`);
    const slave = info?.info_slave_kind === 'bond' && info.info_slave_data !== undefined ? objectAt(info.info_slave_data, linkWhat, `${p}.linkinfo.info_slave_data`) : null;
    return {
      name: stringAt(link, 'ifname', linkWhat, p),
      operState: stringAt(link, 'operstate', linkWhat, p),
      adminUp: flags.includes('UP'),
      carrier: flags.includes('LOWER_UP'),
      mtu: numberAt(link, 'mtu', linkWhat, p),
      mac: optionalStringAt(link, 'address', linkWhat, p),
      master: optionalStringAt(link, 'master', linkWhat, p),
      kind: info === null ? null : optionalStringAt(info, 'info_kind', linkWhat, `${p}.linkinfo`),
      bondMember: slave === null ? null : bondMemberOf(slave, `${p}.linkinfo.info_slave_data`),
      loopback: flags.includes('LOOPBACK'),
    };
  });
}

function bondMemberOf(data: JsonObject, path: string): { state: string; miiStatus: string } {
  return { state: stringAt(data, 'state', linkWhat, path), miiStatus: stringAt(data, 'mii_status', linkWhat, path) };
}

export function parseIpAddr(text: string): LinkAddress[] {
  return arrayAt(parseJsonOutput(text, addrWhat), addrWhat, '(root)').flatMap((l, i) => {
    const p = `[${i}]`;
    const link = objectAt(l, addrWhat, p);
    const name = stringAt(link, 'ifname', addrWhat, p);
    return arrayAt(link.addr_info, addrWhat, `${p}.addr_info`).flatMap((a, j) => {
      const ap = `${p}.addr_info[${j}]`;
      const info = objectAt(a, addrWhat, ap);
      const family = stringAt(info, 'family', addrWhat, ap);
      if (family !== 'inet' && family !== 'inet6') return [];
      return [{ name, family, address: stringAt(info, 'local', addrWhat, ap), prefixLength: numberAt(info, 'prefixlen', addrWhat, ap) }];
    });
  });
}
