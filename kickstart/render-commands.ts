/**
 * The command section of a kickstart (pykickstart RHEL9 handler): installation source, repos,
 * locale, time, the back-channel network, root password, SELinux, firewall and services.
 * Every value has been validated by kickstart-input.ts, so no quoting is needed on these lines.
 */
import type { KickstartInput, Role } from './kickstart-input.js';

const firewallServices: Readonly<Record<Role, readonly string[]>> = {
  striker: ['ssh', 'http', 'https', 'postgresql'],
  node: ['ssh', 'high-availability'],
  dr: ['ssh'],
};

const enabledServices: Readonly<Record<Role, readonly string[]>> = {
  striker: ['chronyd', 'sshd'],
  node: ['chronyd', 'sshd', 'pcsd', 'libvirtd'],
  dr: ['chronyd', 'sshd', 'libvirtd'],
};

/** Dotted netmask for a prefix length (RFC 4632 §3.1), e.g. 16 → 255.255.0.0. */
export function netmaskOf(prefix: number): string {
  const bits = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
  return [24, 16, 8, 0].map((shift) => (bits >>> shift) & 0xff).join('.');
}

export function renderCommands(input: KickstartInput): string[] {
  const { host, locale, role } = input;
  const fqdn = `${host.name}.${host.domain}`;
  const network = [
    'network --bootproto=static',
    `--device=${host.bcn.mac}`,
    `--ip=${host.bcn.ip}`,
    `--netmask=${netmaskOf(host.bcn.prefix)}`,
    ...(host.bcn.gateway === undefined ? [] : [`--gateway=${host.bcn.gateway}`]),
    ...(host.bcn.dns.length === 0 ? ['--nodns'] : [`--nameserver=${host.bcn.dns.join(',')}`]),
    `--hostname=${fqdn}`,
    '--activate',
    '--onboot=yes',
  ].join(' ');
  return [
    '#version=RHEL9',
    `# Striker kickstart: ${fqdn}, role ${role}, host id ${host.hostId}`,
    'text',
    'skipx',
    `url --url=${input.tree}`,
    ...input.repos.map((r) => `repo --name=${r.name} --baseurl=${r.url}`),
    `lang ${locale.language}`,
    `keyboard --vckeymap=${locale.keyboard} --xlayouts=${locale.keyboard}`,
    `timezone ${locale.timezone} --utc`,
    ...locale.ntpServers.map((s) => `timesource --ntp-server=${s}`),
    network,
    `rootpw --iscrypted ${input.rootPasswordHash}`,
    'selinux --enforcing',
    `firewall --enabled --service=${firewallServices[role].join(',')}`,
    `services --enabled=${enabledServices[role].join(',')}`,
    'firstboot --disable',
    'reboot',
    '%include /tmp/part-include',
  ];
}
