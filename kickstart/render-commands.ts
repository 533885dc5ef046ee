/**
 * The command section of a kickstart (pykickstart RHEL9 handler): installation source, repos,
 * locale, time, the back-channel network, root password and SSH key, SELinux, firewall and services.
 * Every value has been validated by kickstart-input.ts, so no quoting is needed on these lines
 * (the SSH key is double-quoted: its comment may hold a space, never a quote or backslash).
 * `repo` has no gpgkey option in the RHEL 9 grammar (pykickstart commands/repo.py) and Anaconda
 * installs with gpgcheck off whatever the repo says (pyanaconda dnf_manager.py, "installer
 * defaults"): signatures are checked by `%post` (render-post.ts).
 */
import { formatIpv4, prefixToMask } from '../striker/core/net/ipv4.js';
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

export function renderCommands(input: KickstartInput): string[] {
  const { host, locale, role } = input;
  const fqdn = `${host.name}.${host.domain}`;
  const network = [
    'network --bootproto=static',
    `--device=${host.bcn.mac}`,
    `--ip=${host.bcn.ip}`,
    `--netmask=${formatIpv4(prefixToMask(host.bcn.prefix))}`,
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
    `sshkey --username=root "${input.rootSshKey}"`,
    ...input.extraRootSshKeys.map((key) => `sshkey --username=root "${key}"`),
    'selinux --enforcing',
    `firewall --enabled --service=${firewallServices[role].join(',')}`,
    `services --enabled=${enabledServices[role].join(',')}`,
    'firstboot --disable',
    'reboot',
    '%include /tmp/part-include',
  ];
}
