/**
 * `%post`: runs chrooted in the installed system. Writes the repo file pointing at this Striker,
 * the agent's configuration, installs the agent, registers the host with its one-time token and
 * reports "install finished" to the boot timeline. No `set -x`: the token must not reach the
 * %post log. Values are validated (no quotes, spaces or `$`), so single quotes are safe.
 */
import type { KickstartInput } from './kickstart-input.js';
import { agentPackagesByRole } from './role-packages.js';

export function renderPost(input: KickstartInput): string[] {
  const repoFile = input.repos.flatMap((r) => [
    `[${r.name}]`,
    `name=${r.name} (Striker mirror)`,
    `baseurl=${r.url}`,
    'enabled=1',
    `gpgcheck=${r.gpgcheck ? 1 : 0}`,
    ...(r.gpgKeyUrl === undefined ? [] : [`gpgkey=${r.gpgKeyUrl}`]),
    '',
  ]);
  const agentConfig = JSON.stringify({ strikerUrl: input.strikerUrl, hostId: input.host.hostId, role: input.role });
  const registration = JSON.stringify({ hostId: input.host.hostId, token: input.registration.token });
  const finished = JSON.stringify({ event: 'install.finished', hostId: input.host.hostId });
  const agent = agentPackagesByRole[input.role];
  const curl = 'curl -fsS --retry 5 --retry-delay 3 -X POST -H \'Content-Type: application/json\'';
  return [
    '%post --interpreter=/bin/bash --erroronfail --log=/root/striker-ks-post.log',
    'set -eu',
    'install -d -m 0755 /etc/yum.repos.d',
    "cat > /etc/yum.repos.d/striker.repo <<'STRIKER_REPO'",
    ...repoFile,
    'STRIKER_REPO',
    'install -d -m 0700 /etc/striker',
    "cat > /etc/striker/agent.json <<'STRIKER_AGENT'",
    agentConfig,
    'STRIKER_AGENT',
    ...(agent.length === 0 ? [] : [`dnf -y install ${agent.join(' ')}`]),
    'umask 077',
    `${curl} --data '${registration}' -o /etc/striker/agent-credentials.json '${input.registration.url}'`,
    `${curl} --data '${finished}' -o /dev/null '${input.timelineUrl}'`,
    '%end',
  ];
}
