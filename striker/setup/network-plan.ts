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
  return connectionOf(`${name}1`, BRIDGED.includes(name));
}

function connectionOf(key: string, bridged: boolean): string {
  return bridged ? `${key}_bridge1` : `${key}_bond1`;
}

/**
 * One network as keyfiles render it: `key` names its connections (`bcn1` → `bcn1_bond1`,
 * `bcn1_bridge1`, `bcn1_link1`…). Each link is matched by its interface name or, when `mac` is
 * given, by its MAC address (a host whose NICs have not been renamed).
 */
export interface KeyfileNetwork {
  key: string;
  title: string;
  /** Address and prefix length, like 10.201.10.1/16. */
  address: string;
  gateway?: string | undefined;
  /** DNS servers and search domain: on the network with the default route only. */
  dns?: { servers: readonly string[]; search: string } | undefined;
  mtu: number;
  bridged: boolean;
  links: readonly { name: string; mac?: string | undefined }[];
}

/** A host's networks as NetworkManager keyfiles plus the commands that bring them up (no chrony: a host's time is the cluster's concern). */
export interface HostNetworkSpec {
  hostName: string;
  networks: readonly KeyfileNetwork[];
}

export function planHostNetwork(spec: HostNetworkSpec): NetworkPlan {
  const files: PlannedFile[] = [{ path: '/etc/hostname', mode: 0o644, content: `${spec.hostName}\n`, why: 'host name' }];
  for (const net of spec.networks) files.push(...keyfilesOf(net));
  const commands: PlannedCommand[] = [
    { argv: ['hostnamectl', 'set-hostname', spec.hostName], why: 'apply the host name now' },
    { argv: ['nmcli', 'connection', 'reload'], why: 'make NetworkManager read the keyfiles' },
    ...spec.networks.map((n) => ({ argv: ['nmcli', 'connection', 'up', connectionOf(n.key, n.bridged)], why: `bring up ${n.key.toUpperCase()}` })),
  ];
  return { hostName: spec.hostName, files, commands };
}

/** Whether a network of this kind carries a bridge (virtual servers attach to the BCN and IFN, as on Anvil!). */
export function isBridged(name: NetworkName): boolean {
  return BRIDGED.includes(name);
}

function networkKeyfiles(identity: Identity, name: NetworkName): PlannedFile[] {
  const net = identity.networks[name];
  const prefix = parseCidr(net.subnet)!;
  const key = `${name}1`;
  return keyfilesOf({
    key,
    title: networkTitles[name],
    address: `${net.address}/${prefix.length}`,
    gateway: name === 'ifn' ? identity.networks.ifn.gateway : undefined,
    dns: name === 'ifn' ? { servers: identity.dns, search: identity.domain } : undefined,
    mtu: identity.mtu,
    bridged: BRIDGED.includes(name),
    links: [{ name: `${key}_link1` }, { name: `${key}_link2` }],
  });
}

function keyfilesOf(net: KeyfileNetwork): PlannedFile[] {
  const bond = `${net.key}_bond1`;
  const bridge = `${net.key}_bridge1`;
  const { bridged, title, mtu } = net;
  const ipv4Lines = [`method=manual`, `address1=${net.address}${net.gateway === undefined ? '' : `,${net.gateway}`}`];
  if (net.dns) ipv4Lines.push(`dns=${net.dns.servers.join(';')};`, `dns-search=${net.dns.search};`);
  else ipv4Lines.push('never-default=true');
  const files: PlannedFile[] = [];
  if (bridged) {
    files.push(keyfile(bridge, `${title}: bridge`, [
      section('connection', [`id=${bridge}`, 'type=bridge', `interface-name=${bridge}`, 'autoconnect=true']),
      section('ethernet', [`mtu=${mtu}`]),
      section('bridge', ['stp=false']),
      section('ipv4', ipv4Lines),
      section('ipv6', ['method=disabled']),
    ]));
  }
  files.push(keyfile(bond, `${title}: bond`, [
    section('connection', [`id=${bond}`, 'type=bond', `interface-name=${bond}`, 'autoconnect=true', ...(bridged ? [`master=${bridge}`, 'slave-type=bridge'] : [])]),
    section('ethernet', [`mtu=${mtu}`]),
    section('bond', ['mode=active-backup', 'miimon=100', `primary=${net.links[0]!.name}`]),
    ...(bridged ? [] : [section('ipv4', ipv4Lines), section('ipv6', ['method=disabled'])]),
  ]));
  net.links.forEach((link, i) => {
    const matchBy = link.mac === undefined ? [`interface-name=${link.name}`] : [];
    files.push(keyfile(link.name, `${title}: link ${i + 1}`, [
      section('connection', [`id=${link.name}`, 'type=ethernet', ...matchBy, 'autoconnect=true', `master=${bond}`, 'slave-type=bond']),
      section('ethernet', [...(link.mac === undefined ? [] : [`mac-address=${link.mac.toUpperCase()}`]), `mtu=${mtu}`]),
    ]));
  });
  return files;
}

function section(name: string, lines: string[]): string {
  return `[${name}]\n${lines.join('\n')}\n`;
}

function keyfile(id: string, why: string, sections: string[]): PlannedFile {
  // NetworkManager ignores keyfiles readable by others (nm-settings-keyfile(5)): 0600.
  return { path: `${KEYFILE_DIR}/${id}.nmconnection`, mode: 0o600, content: sections.join('\n'), why };
}
