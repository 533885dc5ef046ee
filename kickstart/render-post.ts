/**
 * `%post`: runs chrooted in the installed system, offline, talking only to this Striker:
 *  1. disables the distribution's own repo files and writes `striker.repo` (ids `striker…`, which
 *     cannot collide with the distribution's, gpgcheck=1 with each repo's keys);
 *  2. imports those keys and fails unless every installed package is signed by one of them
 *     (Anaconda installs with gpgcheck off whatever the repos say, so this is where an unsigned or
 *     foreign package is caught);
 *  3. sets whether sshd takes root's password (`sshkey` in the commands installs Striker's key);
 *  4. writes the agent's configuration (`strikerUrls`: this Striker first, then the others the
 *     agent may fail over to; the host id; the role), registers the host with its one-time token
 *     (the answer, the host's agent credential, is written 0600 to agent-credentials.json) and
 *     reports "install finished" to the boot timeline.
 * `striker-agent` itself comes from `%packages`. No `set -x`: the token must not reach the %post
 * log. Values are validated (no quotes, spaces or `$`), so single quotes are safe.
 */
import type { KickstartInput } from './kickstart-input.js';

export const postLog = '/root/striker-ks-post.log';
/**
 * Where `%pre` and `%post` write why they failed (one line), for `%onerror` to send as the reason:
 * `%pre`'s in the installer's /tmp, `%post`'s in the installed system's (/mnt/sysimage/tmp).
 */
export const installErrorFile = '/tmp/striker-install-error';

const curl = 'curl -fsS --retry 5 --retry-delay 3';

/**
 * The distribution's repo files are kept and disabled in place: every `enabled=` line dropped and
 * `enabled=0` written under each section header. A changed `%config(noreplace)` file survives an
 * update of the package that owns it (rpm writes `.rpmnew` beside it), where a file moved aside
 * would be put back, enabled, by the next update of that package.
 */
const disableDistributionRepos = [
  'for f in /etc/yum.repos.d/*.repo; do',
  '  [ -f "$f" ] && [ "$f" != /etc/yum.repos.d/striker.repo ] || continue',
  "  sed -i -E -e '/^[[:space:]]*enabled[[:space:]]*=/d' -e 's/^[[:space:]]*\\[[^]]+\\][[:space:]]*$/&\\nenabled=0/' \"$f\"",
  'done',
];

/** Every installed package must carry a header signature by a key in the rpm keyring (gpg-pubkey VERSION is the key id's last 8 hex digits). */
const signatureAudit = [
  "trusted=$(rpm -q gpg-pubkey --qf '%{VERSION} ' 2>/dev/null || true)",
  "foreign=$(rpm -qa --qf '%{NAME} %{NAME}-%{VERSION}-%{RELEASE}.%{ARCH} %|RSAHEADER?{%{RSAHEADER:pgpsig}}:{%|DSAHEADER?{%{DSAHEADER:pgpsig}}:{unsigned}|}|\\n' \\",
  "  | awk -v trusted=\"$trusted\" 'BEGIN { n = split(trusted, t, \" \"); for (i = 1; i <= n; i++) ok[tolower(t[i])] = 1 } $1 == \"gpg-pubkey\" { next } { id = tolower($NF); if (!(substr(id, length(id) - 7) in ok)) print $2 }')",
  'if [ -n "$foreign" ]; then',
  '  detail="packages not signed by a key this Striker trusts: $(echo $foreign | cut -c1-500)"',
  '  echo "striker: installed packages not signed by a key this Striker trusts:" $foreign >&2',
  '  exit 1',
  'fi',
];

/**
 * RHEL 9's sshd_config includes `sshd_config.d/*.conf` first and sshd keeps the first value it
 * reads, so `00-` wins over the distribution's `50-redhat.conf`.
 */
const sshdDropIn = '/etc/ssh/sshd_config.d/00-striker-root-login.conf';

export function renderPost(input: KickstartInput): string[] {
  const keyUrls = [...new Set(input.repos.flatMap((r) => r.gpgKeyUrls))];
  const repoFile = input.repos.flatMap((r) => [
    `[${r.name}]`,
    `name=${r.name} (Striker mirror)`,
    `baseurl=${r.url}`,
    'enabled=1',
    'gpgcheck=1',
    `gpgkey=${r.gpgKeyUrls.join(' ')}`,
    '',
  ]);
  const strikerUrls = [...new Set([input.strikerUrl, ...input.otherStrikerUrls])];
  const agentConfig = JSON.stringify({ strikerUrls, hostId: input.host.hostId, role: input.role });
  const registration = JSON.stringify({ hostId: input.host.hostId, token: input.registration.token });
  const finished = JSON.stringify({ event: 'install.finished', hostId: input.host.hostId });
  const post = `${curl} -X POST -H 'Content-Type: application/json'`;
  return [
    `%post --interpreter=/bin/bash --erroronfail --log=${postLog}`,
    'set -eu',
    // Says why it failed: the step it was at, for %onerror's report (never the command line: the
    // registration's carries the token).
    "step='disabling the distribution repos'",
    `trap 'rc=$?; [ "$rc" = 0 ] || echo "%post failed while $step (exit $rc)\${detail:+: $detail}" > ${installErrorFile}' EXIT`,
    ...disableDistributionRepos,
    "step='writing striker.repo'",
    'install -d -m 0755 /etc/yum.repos.d',
    "cat > /etc/yum.repos.d/striker.repo <<'STRIKER_REPO'",
    ...repoFile,
    'STRIKER_REPO',
    "step='importing the repo signing keys from Striker'",
    'keys=$(mktemp -d)',
    ...keyUrls.flatMap((url, i) => [`${curl} -o "$keys/${i + 1}.asc" '${url}'`, `rpm --import "$keys/${i + 1}.asc"`]),
    'rm -rf "$keys"',
    "step='checking the package signatures'",
    ...signatureAudit,
    "step='configuring sshd'",
    'install -d -m 0755 /etc/ssh/sshd_config.d',
    `cat > ${sshdDropIn} <<'STRIKER_SSHD'`,
    `PermitRootLogin ${input.rootPasswordLogin ? 'yes' : 'prohibit-password'}`,
    'STRIKER_SSHD',
    `chmod 0600 ${sshdDropIn}`,
    "step='writing the agent configuration'",
    'install -d -m 0700 /etc/striker',
    "cat > /etc/striker/agent.json <<'STRIKER_AGENT'",
    agentConfig,
    'STRIKER_AGENT',
    'umask 077',
    "step='registering the host with Striker'",
    `${post} --data '${registration}' -o /etc/striker/agent-credentials.json '${input.registration.url}'`,
    "step='reporting the finished install to Striker'",
    `${post} --data '${finished}' -o /dev/null '${input.timelineUrl}'`,
    "step='finishing'",
    '%end',
  ];
}
