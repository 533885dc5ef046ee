/**
 * What applying an identity would do to this machine, as data: the host name, NetworkManager
 * keyfiles (nm-settings-keyfile(5)) for each network's active-backup bond of two links, a bridge
 * on the BCN and IFN (virtual servers attach there, as on an Anvil! Striker), chrony sources, and
 * the commands that make NetworkManager and chrony read them. Pure: nothing is written here.
 *
 * Links are expected under Anvil!'s names (`bcn1_link1`, `bcn1_link2`…); renaming NICs by MAC to
 * those names is the hardware-mapping step's job.
 */
import { networkNames, networkTitles, type Identity, type NetworkName } from './identity-schema.js';
import { parseCidr } from '../core/net/ipv4.js';

export interface PlannedFile {
  path: string;
  mode: number;
  content: string;
  why: string;
}

export interface PlannedCommand {
  argv: string[];
  why: string;
}

export interface NetworkPlan {
  hostName: string;
  files: PlannedFile[];
  commands: PlannedCommand[];
}

export const KEYFILE_DIR = '/etc/NetworkManager/system-connections';
const BRIDGED: readonly NetworkName[] = ['bcn', 'ifn'];

export function planNetwork(identity: Identity): NetworkPlan {
  const files: PlannedFile[] = [{ path: '/etc/hostname', mode: 0o644, content: `${identity.hostName}\n`, why: 'host name' }];
  for (const name of networkNames) files.push(...networkKeyfiles(identity, name));
  if (identity.ntp.length > 0) {
    files.push({
      path: '/etc/chrony/conf.d/striker.conf',
      mode: 0o644,
      content: `# Written by Striker from its identity.\n${identity.ntp.map((s) => `server ${s} iburst`).join('\n')}\n`,
      why: 'NTP servers',
    });
  }
  const commands: PlannedCommand[] = [
    { argv: ['hostnamectl', 'set-hostname', identity.hostName], why: 'apply the host name now' },
    { argv: ['nmcli', 'connection', 'reload'], why: 'make NetworkManager read the keyfiles' },
    ...networkNames.map((n) => ({ argv: ['nmcli', 'connection', 'up', topConnection(n)], why: `bring up the ${n.toUpperCase()}` })),
  ];
  if (identity.ntp.length > 0) commands.push({ argv: ['chronyc', 'reload', 'sources'], why: 'make chrony read the NTP servers' });
  return { hostName: identity.hostName, files, commands };
}

/** The connection that carries the network's address: its bridge, or its bond when not bridged. */
export function topConnection(name: NetworkName): string {
  return BRIDGED.includes(name) ? `${name}1_bridge1` : `${name}1_bond1`;
}

function networkKeyfiles(identity: Identity, name: NetworkName): PlannedFile[] {
  const net = identity.networks[name];
  const prefix = parseCidr(net.subnet)!;
  const bond = `${name}1_bond1`;
  const bridge = `${name}1_bridge1`;
  const bridged = BRIDGED.includes(name);
  const ipv4Lines = [`method=manual`, `address1=${net.address}/${prefix.length}${name === 'ifn' ? `,${identity.networks.ifn.gateway}` : ''}`];
  if (name === 'ifn') ipv4Lines.push(`dns=${identity.dns.join(';')};`, `dns-search=${identity.domain};`);
  else ipv4Lines.push('never-default=true');
  const title = networkTitles[name];
  const files: PlannedFile[] = [];
  if (bridged) {
    files.push(keyfile(bridge, `${title}: bridge`, [
      section('connection', [`id=${bridge}`, 'type=bridge', `interface-name=${bridge}`, 'autoconnect=true']),
      section('ethernet', [`mtu=${identity.mtu}`]),
      section('bridge', ['stp=false']),
      section('ipv4', ipv4Lines),
      section('ipv6', ['method=disabled']),
    ]));
  }
  files.push(keyfile(bond, `${title}: bond`, [
    section('connection', [`id=${bond}`, 'type=bond', `interface-name=${bond}`, 'autoconnect=true', ...(bridged ? [`master=${bridge}`, 'slave-type=bridge'] : [])]),
    section('ethernet', [`mtu=${identity.mtu}`]),
    // With NICs matched by MAC their device names are the kernel's, so no primary is named.
    section('bond', ['mode=active-backup', 'miimon=100', ...((net.links ?? []).length > 0 ? [] : [`primary=${name}1_link1`])]),
    ...(bridged ? [] : [section('ipv4', ipv4Lines), section('ipv6', ['method=disabled'])]),
  ]));
  // Links the wizard tied to NICs are matched by MAC; otherwise by the conventional name (bcn1_link1).
  const macs = net.links ?? [];
  const count = macs.length > 0 ? macs.length : 2;
  for (let link = 1; link <= count; link++) {
    const id = `${name}1_link${link}`;
    const mac = macs[link - 1];
    files.push(keyfile(id, `${title}: link ${link}${mac ? ` (${mac})` : ''}`, [
      section('connection', [`id=${id}`, 'type=ethernet', ...(mac ? [] : [`interface-name=${id}`]), 'autoconnect=true', `master=${bond}`, 'slave-type=bond']),
      section('ethernet', [...(mac ? [`mac-address=${mac}`] : []), `mtu=${identity.mtu}`]),
    ]));
  }
  return files;
}

function section(name: string, lines: string[]): string {
  return `[${name}]\n${lines.join('\n')}\n`;
}

function keyfile(id: string, why: string, sections: string[]): PlannedFile {
  // NetworkManager ignores keyfiles readable by others (nm-settings-keyfile(5)): 0600.
  return { path: `${KEYFILE_DIR}/${id}.nmconnection`, mode: 0o600, content: sections.join('\n'), why };
}
