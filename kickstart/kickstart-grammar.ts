/**
 * The RHEL 9 kickstart grammar as data for the linter (lint.ts). Ground truth:
 * - pykickstart `pykickstart/handlers/rhel9.py` (RHEL9Handler.commandMap: which class parses each
 *   command) and `pykickstart/commands/*.py` (their options, `type=`, `choices=`, `required=`,
 *   `deprecated=`, `remove_argument`, and the checks in each `parse`);
 * - `pykickstart/options.py` (ksboolean, commaSplit, the deprecated-option wording);
 * - `pykickstart/sections.py` (the %-sections and their options);
 * - the RHEL 9 "Kickstart commands and options reference", B.1.3/B.1.4: the commands and options
 *   deprecated (warnings, fatal only under inst.ksstrict) and removed (errors) in RHEL 9.
 * Anything not listed is an error: a typo in a kickstart is otherwise only found by a machine
 * stopping at Anaconda's console. Storage commands are in grammar/storage-commands.ts.
 */
import {
  choice, deprecatedOption, flag, int, ksbool, removedOption, str, typed,
  type CommandSpec, type OptionSpec, type SectionSpec,
} from './grammar/grammar-types.js';
import { storageCommands } from './grammar/storage-commands.js';

export type { CommandRule, CommandSpec, OptionSpec, SectionSpec } from './grammar/grammar-types.js';

const displayMode: CommandSpec = { options: { '--non-interactive': flag }, args: [0, 0] };
const reboot: CommandSpec = { options: { '--eject': flag, '--kexec': flag }, args: [0, 0] };
const removedCommand = (text: string): CommandSpec => ({ options: {}, args: [0, undefined], freeForm: true, repeatable: true, removed: text });

const sslOptions: Readonly<Record<string, OptionSpec>> = { '--sslcacert': str, '--sslclientcert': str, '--sslclientkey': str };

const systemCommands: Readonly<Record<string, CommandSpec>> = {
  // Installation method and flow (displaymode.py F26, reboot.py F23, url.py F30, …).
  text: displayMode,
  graphical: displayMode,
  cmdline: { options: {}, args: [0, 0] },
  skipx: { options: {}, args: [0, 0] },
  reboot, poweroff: reboot, halt: reboot, shutdown: reboot,
  url: {
    options: { '--url': str, '--mirrorlist': str, '--metalink': str, '--proxy': str, '--noverifyssl': flag, ...sslOptions },
    args: [0, 0],
    rules: [
      { kind: 'atLeastOne', options: ['--url', '--mirrorlist', '--metalink'], message: 'One of --url, --mirrorlist or --metalink must be specified for url command' },
      { kind: 'atMostOne', options: ['--url', '--mirrorlist', '--metalink'], message: 'Only one of --url, --mirrorlist or --metalink may be specified for url command' },
    ],
  },
  cdrom: { options: {}, args: [0, 0] },
  harddrive: {
    options: { '--partition': str, '--dir': str, '--biospart': removedOption('--biospart', 'RHEL 9') },
    args: [0, 0], required: ['--partition', '--dir'],
  },
  nfs: { options: { '--server': str, '--dir': str, '--opts': str }, args: [0, 0], required: ['--server', '--dir'] },
  liveimg: { options: { '--url': str, '--proxy': str, '--noverifyssl': flag, '--checksum': str }, args: [0, 0], required: ['--url'] },
  hmc: { options: {}, args: [0, 0] },
  ostreesetup: {
    options: { '--osname': str, '--remote': str, '--url': str, '--ref': str, '--nogpg': flag },
    args: [0, 0], required: ['--osname', '--url', '--ref'],
  },
  ostreecontainer: {
    options: { '--stateroot': str, '--url': str, '--transport': str, '--remote': str, '--no-signature-verification': flag },
    args: [0, 0], required: ['--url'],
  },
  // repo.py F33_Repo: a repo with no URL is one of the installation tree's own (urlRequired = False since F15).
  repo: {
    options: {
      '--name': str, '--baseurl': str, '--mirrorlist': str, '--metalink': str, '--cost': int, '--excludepkgs': str,
      '--includepkgs': str, '--proxy': str, '--noverifyssl': flag, '--install': flag, ...sslOptions,
      '--ignoregroups': deprecatedOption('--ignoregroups', { kind: 'ksboolean' }),
    },
    args: [0, 0], required: ['--name'], repeatable: true,
    rules: [{ kind: 'atMostOne', options: ['--baseurl', '--mirrorlist', '--metalink'], message: 'Only one of --baseurl, --mirrorlist, --metalink options may be specified for repo command' }],
  },
  updates: { options: {}, args: [0, 1], argsName: 'an updates image URL' },
  driverdisk: { options: { '--source': str, '--biospart': str }, args: [0, 1], argsName: 'a partition', repeatable: true },
  eula: { options: { '--agreed': flag, '--accept': flag, '--accepted': flag }, args: [0, 0], rules: [{ kind: 'atLeastOne', options: ['--agreed', '--accept', '--accepted'], message: 'Kickstart command eula expects the --agreed option' }] },
  rescue: { options: { '--nomount': flag, '--romount': flag }, args: [0, 0], rules: [{ kind: 'atMostOne', options: ['--nomount', '--romount'], message: 'Only one of --nomount and --romount may be specified for rescue command' }] },
  mediacheck: { options: {}, args: [0, 0] },
  vnc: { options: { '--host': str, '--port': str, '--password': str }, args: [0, 0] },
  logging: {
    options: { '--host': str, '--port': int, '--level': deprecatedOption('--level', { kind: 'choice', choices: ['debug', 'info', 'warning', 'error', 'critical'] }) },
    args: [0, 0],
  },
  // Localisation and time (lang.py F19, keyboard.py F18, timezone.py F33, timesource.py F33).
  lang: { options: { '--addsupport': str }, args: [1, 1], argsName: 'a language' },
  keyboard: {
    options: { '--vckeymap': str, '--xlayouts': str, '--switch': str }, args: [0, 1], argsName: 'a keyboard layout',
    rules: [{ kind: 'notEmpty', message: 'One of --xlayouts, --vckeymap options with value(s) or argument is expected for the keyboard command' }],
  },
  timezone: {
    options: {
      '--utc': flag,
      '--isUtc': { deprecated: 'The option --isUtc will be deprecated in future releases. Please modify your kickstart file to replace this option with its preferred alias --utc.' },
      '--nontp': { deprecated: 'The option --nontp will be deprecated in future releases. Please modify your kickstart file to replace this option with timesource --ntp-disable command invocation.' },
      '--ntpservers': { value: { kind: 'string' }, deprecated: 'The option --ntpservers will be deprecated in future releases. Please modify your kickstart file to replace this option with timesource --ntp-server <server hostname> command invocation, one per NTP server.' },
    },
    args: [0, 1], argsName: 'a time zone',
    rules: [
      { kind: 'notEmpty', message: 'At least one option and/or an argument are expected for the timezone command' },
      { kind: 'atMostOne', options: ['--nontp', '--ntpservers'], message: 'Options --nontp and --ntpservers are mutually exclusive' },
    ],
  },
  timesource: {
    options: { '--ntp-server': str, '--ntp-pool': str, '--ntp-disable': flag, '--nts': flag },
    args: [0, 0], repeatable: true,
    rules: [
      { kind: 'atLeastOne', options: ['--ntp-server', '--ntp-pool', '--ntp-disable'], message: 'One of --ntp-server, --ntp-pool or --ntp-disable must be specified for timesource command' },
      { kind: 'atMostOne', options: ['--ntp-server', '--ntp-pool', '--ntp-disable'], message: 'Only one of --ntp-server, --ntp-pool or --ntp-disable may be specified for timesource command' },
      { kind: 'atMostOne', options: ['--ntp-disable', '--nts'], message: '--nts cannot be used with --ntp-disable' },
    ],
  },
  // Network (network.py RHEL9_Network). Anaconda refuses malformed addresses when it applies them.
  network: {
    options: {
      '--bootproto': choice(['dhcp', 'bootp', 'static', 'query', 'ibft']), '--dhcpclass': str, '--device': str,
      '--ip': typed({ kind: 'ipv4' }), '--ipv6': typed({ kind: 'ipv6-config' }), '--gateway': typed({ kind: 'ipv4' }),
      '--ipv6gateway': typed({ kind: 'ip' }), '--nameserver': typed({ kind: 'ip-list' }), '--netmask': typed({ kind: 'netmask' }),
      '--nodns': flag, '--hostname': str, '--ethtool': str, '--essid': str, '--wepkey': str, '--wpakey': str,
      '--onboot': ksbool, '--noipv4': flag, '--noipv6': flag, '--activate': flag, '--no-activate': flag, '--nodefroute': flag,
      '--mtu': str, '--vlanid': str, '--bondslaves': str, '--bondopts': str, '--notksdevice': flag, '--interfacename': str,
      '--teamslaves': { value: { kind: 'string' }, deprecated: 'Network teaming is deprecated in RHEL 9 (--teamslaves): use a bond instead.' },
      '--teamconfig': { value: { kind: 'string' }, deprecated: 'Network teaming is deprecated in RHEL 9 (--teamconfig): use a bond instead.' },
      '--bridgeslaves': str, '--bridgeopts': str, '--bindto': choice(['mac']),
      '--ipv4-dns-search': str, '--ipv6-dns-search': str, '--ipv4-ignore-auto-dns': flag, '--ipv6-ignore-auto-dns': flag,
    },
    args: [0, 0], repeatable: true,
    rules: [{ kind: 'atMostOne', options: ['--activate', '--no-activate'], message: '--activate and --no-activate are mutually exclusive' }],
  },
  firewall: {
    options: {
      '--enabled': flag, '--enable': flag, '--disabled': flag, '--disable': flag, '--service': str, '--port': str,
      '--trust': str, '--remove-service': str, '--use-system-defaults': flag, '--ssh': flag, '--smtp': flag, '--http': flag, '--ftp': flag,
      '--telnet': removedOption('--telnet', 'F14', 'use --service=telnet'),
      '--high': removedOption('--high', 'F9'), '--medium': removedOption('--medium', 'F9'),
    },
    args: [0, 0],
  },
  // Security and users (rootpw.py RHEL9_RootPw, user.py F24, group.py F12, sshkey.py, sshpw.py F24, selinux.py FC3).
  rootpw: {
    options: { '--iscrypted': flag, '--plaintext': flag, '--lock': flag, '--allow-ssh': flag },
    args: [0, 1], argsName: 'a password',
    rules: [
      { kind: 'argsAtLeast', min: 1, unless: ['--lock'], message: 'A single argument is expected for the rootpw command: the password (or --lock)' },
      { kind: 'atMostOne', options: ['--iscrypted', '--plaintext'], message: '--iscrypted and --plaintext are mutually exclusive' },
    ],
  },
  user: {
    options: {
      '--name': str, '--gecos': str, '--groups': str, '--homedir': str, '--lock': flag, '--password': str, '--iscrypted': flag,
      '--plaintext': flag, '--shell': str, '--uid': int, '--gid': int,
    },
    args: [0, 0], required: ['--name'], repeatable: true,
    rules: [{ kind: 'atMostOne', options: ['--iscrypted', '--plaintext'], message: '--iscrypted and --plaintext are mutually exclusive' }],
  },
  group: { options: { '--name': str, '--gid': int }, args: [0, 0], required: ['--name'], repeatable: true },
  sshkey: { options: { '--username': str }, args: [1, 1], argsName: 'a quoted SSH public key', required: ['--username'], repeatable: true },
  sshpw: {
    options: { '--username': str, '--iscrypted': flag, '--plaintext': flag, '--lock': flag, '--sshkey': flag },
    args: [1, 1], argsName: 'a password or key', required: ['--username'], repeatable: true,
    rules: [{ kind: 'atMostOne', options: ['--iscrypted', '--plaintext'], message: '--iscrypted and --plaintext are mutually exclusive' }],
  },
  selinux: {
    options: { '--enforcing': flag, '--permissive': flag, '--disabled': flag }, args: [0, 0],
    rules: [{ kind: 'atMostOne', options: ['--enforcing', '--permissive', '--disabled'], message: 'only one of --enforcing, --permissive and --disabled can be used' }],
  },
  authselect: { options: {}, args: [0, undefined], freeForm: true },
  auth: { options: {}, args: [0, undefined], freeForm: true, deprecated: 'The authconfig command will be deprecated, use authselect instead.' },
  authconfig: { options: {}, args: [0, undefined], freeForm: true, deprecated: 'The authconfig command will be deprecated, use authselect instead.' },
  realm: { options: {}, args: [1, undefined], freeForm: true, repeatable: true },
  // System set-up after installation.
  services: {
    options: { '--enabled': str, '--disabled': str }, args: [0, 0],
    rules: [{ kind: 'atLeastOne', options: ['--enabled', '--disabled'], message: 'One of --disabled or --enabled must be provided' }],
  },
  firstboot: { options: { '--enable': flag, '--enabled': flag, '--disable': flag, '--disabled': flag, '--reconfig': flag }, args: [0, 0] },
  xconfig: { options: { '--defaultdesktop': str, '--startxonboot': flag }, args: [0, 0] },
  module: { options: { '--name': str, '--stream': str, '--disable': flag }, args: [0, 0], required: ['--name'], repeatable: true },
  rhsm: {
    options: { '--organization': str, '--activation-key': str, '--connect-to-insights': flag, '--proxy': str, '--server-hostname': str, '--rhsm-baseurl': str },
    args: [0, 0],
  },
  syspurpose: {
    options: { '--role': str, '--sla': str, '--usage': str, '--addon': str }, args: [0, 0],
    deprecated: 'The syspurpose command is deprecated in RHEL 9: use subscription-manager syspurpose instead.',
  },
  // Removed from the RHEL 9 grammar (RHEL 9 reference B.1.4; RemovedCommand classes in rhel9.py).
  install: removedCommand('install was removed in RHEL 9: use its method (url, nfs, cdrom, harddrive, liveimg) as a command'),
  method: removedCommand('method was removed: use url, nfs, cdrom, harddrive or liveimg as a command'),
  device: removedCommand('device was removed in RHEL 9'),
  deviceprobe: removedCommand('deviceprobe was removed in RHEL 9'),
  dmraid: removedCommand('dmraid was removed in RHEL 9'),
  multipath: removedCommand('multipath was removed in RHEL 9'),
  autostep: removedCommand('autostep was removed in RHEL 9'),
  upgrade: removedCommand('upgrade was removed: kickstart installs only'),
  unsupported_hardware: removedCommand('unsupported_hardware was removed in RHEL 8'),
  pwpolicy: removedCommand('pwpolicy is not a command in RHEL 9: it is only read inside %anaconda (deprecated), use the Anaconda configuration file'),
  // Includes: read by the parser before any command.
  '%include': { options: {}, args: [1, 1], argsName: 'a file or URL', repeatable: true },
  '%ksappend': { options: {}, args: [1, 1], argsName: 'a file or URL', repeatable: true },
};

export const commandSpecs: Readonly<Record<string, CommandSpec>> = { ...systemCommands, ...storageCommands };

/** sections.py: the script sections share one parser; %post adds --nochroot. */
const scriptOptions: Readonly<Record<string, OptionSpec>> = {
  '--interpreter': str, '--erroronfail': flag, '--log': str, '--logfile': str,
};

export const sectionSpecs: Readonly<Record<string, SectionSpec>> = {
  '%packages': {
    kind: 'packages', args: [0, 0], once: true,
    options: {
      '--excludedocs': flag, '--ignoremissing': flag, '--nocore': flag, '--default': flag, '--multilib': flag,
      '--inst-langs': str, '--exclude-weakdeps': flag, '--timeout': int, '--retries': int, '--ignorebroken': flag,
      '--instLangs': { value: { kind: 'string' }, deprecated: 'The --instLangs option is deprecated in RHEL 9: use --inst-langs instead.' },
      '--excludeWeakdeps': { deprecated: 'The --excludeWeakdeps option is deprecated in RHEL 9: use --exclude-weakdeps instead.' },
      '--nobase': removedOption('--nobase', 'F22', 'use --nocore'),
      '--ignoredeps': removedOption('--ignoredeps', 'FC4'), '--resolvedeps': removedOption('--resolvedeps', 'FC4'),
    },
  },
  '%pre': { kind: 'script', args: [0, 0], options: scriptOptions },
  '%pre-install': { kind: 'script', args: [0, 0], options: scriptOptions },
  '%post': { kind: 'script', args: [0, 0], options: { ...scriptOptions, '--nochroot': flag } },
  '%onerror': { kind: 'script', args: [0, 0], options: scriptOptions },
  '%traceback': { kind: 'script', args: [0, 0], options: scriptOptions },
  '%addon': { kind: 'addon', args: [1, undefined], options: {} },
  '%anaconda': {
    kind: 'anaconda', args: [0, 0], options: {}, once: true,
    deprecated: 'The %anaconda section is deprecated in RHEL 9: use the Anaconda configuration file instead.',
  },
};
