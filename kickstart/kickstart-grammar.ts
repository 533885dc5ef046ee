/**
 * The subset of the kickstart language (pykickstart, RHEL9 handler) that Striker writes, plus the
 * close relatives an operator might add, as data for the linter. An option is a `flag` (no value)
 * or takes a `value` (`--opt=value` or `--opt value`). Anything not listed is an error: a typo in
 * a kickstart is otherwise only found by a machine stopping at Anaconda's console.
 */
export type OptionKind = 'flag' | 'value';

export interface CommandSpec {
  options: Readonly<Record<string, OptionKind>>;
  /** Positional arguments allowed: [min, max] (max undefined = unbounded). */
  args: readonly [number, number | undefined];
  /** Options that must be present. */
  required?: readonly string[];
  /** At least one of these must be present. */
  oneOf?: readonly string[];
  /** May appear more than once (part, repo, network…). */
  repeatable?: boolean;
  /** Accepted by RHEL 9 but deprecated: a warning with this advice. */
  deprecated?: Readonly<Record<string, string>>;
}

const f = 'flag' as const;
const v = 'value' as const;

const partitionOptions = {
  '--size': v, '--grow': f, '--maxsize': v, '--ondisk': v, '--ondrive': v, '--fstype': v, '--asprimary': f,
  '--noformat': f, '--onpart': v, '--usepart': v, '--label': v, '--mkfsoptions': v, '--fsoptions': v,
  '--encrypted': f, '--passphrase': v, '--recommended': f, '--resize': f, '--hibernation': f, '--fsprofile': v,
} as const;

export const commandSpecs: Readonly<Record<string, CommandSpec>> = {
  text: { options: { '--non-interactive': f }, args: [0, 0] },
  graphical: { options: { '--non-interactive': f }, args: [0, 0] },
  cmdline: { options: {}, args: [0, 0] },
  skipx: { options: {}, args: [0, 0] },
  url: { options: { '--url': v, '--mirrorlist': v, '--metalink': v, '--proxy': v, '--noverifyssl': f, '--sslcacert': v }, args: [0, 0], oneOf: ['--url', '--mirrorlist', '--metalink'] },
  repo: {
    options: { '--name': v, '--baseurl': v, '--mirrorlist': v, '--metalink': v, '--cost': v, '--excludepkgs': v, '--includepkgs': v, '--proxy': v, '--ignoregroups': v, '--noverifyssl': f, '--install': f, '--sslcacert': v },
    args: [0, 0], required: ['--name'], oneOf: ['--baseurl', '--mirrorlist', '--metalink'], repeatable: true,
  },
  lang: { options: { '--addsupport': v }, args: [1, 1] },
  keyboard: { options: { '--vckeymap': v, '--xlayouts': v, '--switch': v }, args: [0, 1] },
  timezone: {
    options: { '--utc': f, '--isUtc': f, '--nontp': f, '--ntpservers': v }, args: [0, 1],
    deprecated: { '--nontp': 'use timesource --ntp-disable', '--ntpservers': 'use timesource --ntp-server' },
  },
  timesource: { options: { '--ntp-server': v, '--ntp-pool': v, '--ntp-disable': f, '--nts': f }, args: [0, 0], oneOf: ['--ntp-server', '--ntp-pool', '--ntp-disable'], repeatable: true },
  network: {
    options: {
      '--bootproto': v, '--device': v, '--ip': v, '--ipv6': v, '--netmask': v, '--gateway': v, '--ipv6gateway': v,
      '--nameserver': v, '--nodns': f, '--hostname': v, '--activate': f, '--no-activate': f, '--onboot': v, '--noipv4': f,
      '--noipv6': f, '--mtu': v, '--vlanid': v, '--interfacename': v, '--bondslaves': v, '--bondopts': v, '--teamslaves': v,
      '--teamconfig': v, '--bridgeslaves': v, '--bridgeopts': v, '--ethtool': v, '--dhcpclass': v, '--bindto': v,
      '--nodefroute': f, '--ipv4-dns-search': v, '--ipv6-dns-search': v,
    },
    args: [0, 0], repeatable: true,
  },
  rootpw: { options: { '--iscrypted': f, '--plaintext': f, '--lock': f, '--allow-ssh': f }, args: [0, 1] },
  selinux: { options: { '--enforcing': f, '--permissive': f, '--disabled': f }, args: [0, 0] },
  firewall: {
    options: { '--enabled': f, '--enable': f, '--disabled': f, '--disable': f, '--service': v, '--port': v, '--trust': v, '--remove-service': v, '--use-system-defaults': f, '--ssh': f, '--http': f, '--smtp': f, '--ftp': f, '--telnet': f },
    args: [0, 0],
  },
  services: { options: { '--enabled': v, '--disabled': v }, args: [0, 0] },
  firstboot: { options: { '--enable': f, '--enabled': f, '--disable': f, '--disabled': f, '--reconfig': f }, args: [0, 0] },
  reboot: { options: { '--eject': f, '--kexec': f }, args: [0, 0] },
  poweroff: { options: { '--eject': f, '--kexec': f }, args: [0, 0] },
  halt: { options: { '--eject': f, '--kexec': f }, args: [0, 0] },
  eula: { options: { '--agreed': f }, args: [0, 0] },
  zerombr: { options: {}, args: [0, 0] },
  clearpart: { options: { '--all': f, '--linux': f, '--none': f, '--initlabel': f, '--disklabel': v, '--drives': v, '--list': v, '--cdl': f }, args: [0, 0] },
  ignoredisk: { options: { '--only-use': v, '--drives': v, '--interactive': f }, args: [0, 0] },
  bootloader: {
    options: { '--location': v, '--driveorder': v, '--boot-drive': v, '--append': v, '--password': v, '--iscrypted': f, '--timeout': v, '--leavebootorder': f, '--nombr': f, '--disabled': f, '--extlinux': f },
    args: [0, 0],
  },
  reqpart: { options: { '--add-boot': f }, args: [0, 0] },
  part: { options: partitionOptions, args: [1, 1], repeatable: true },
  partition: { options: partitionOptions, args: [1, 1], repeatable: true },
  raid: {
    options: { '--level': v, '--device': v, '--fstype': v, '--metadata': v, '--spares': v, '--noformat': f, '--useexisting': f, '--label': v, '--encrypted': f, '--passphrase': v, '--chunksize': v, '--mkfsoptions': v, '--fsoptions': v },
    args: [1, undefined], required: ['--device'], repeatable: true,
  },
  volgroup: { options: { '--pesize': v, '--reserved-space': v, '--reserved-percent': v, '--useexisting': f, '--noformat': f }, args: [1, undefined], repeatable: true },
  logvol: {
    options: {
      '--vgname': v, '--name': v, '--size': v, '--grow': f, '--maxsize': v, '--fstype': v, '--percent': v, '--recommended': f,
      '--useexisting': f, '--noformat': f, '--label': v, '--thin': f, '--thinpool': f, '--poolname': v, '--chunksize': v,
      '--metadatasize': v, '--encrypted': f, '--passphrase': v, '--mkfsoptions': v, '--fsoptions': v, '--resize': f, '--hibernation': f,
    },
    args: [1, 1], required: ['--vgname', '--name'], repeatable: true,
  },
  '%include': { options: {}, args: [1, 1], repeatable: true },
  '%ksappend': { options: {}, args: [1, 1], repeatable: true },
};

export type SectionKind = 'packages' | 'script';

export interface SectionSpec {
  kind: SectionKind;
  options: Readonly<Record<string, OptionKind>>;
}

const scriptOptions = { '--interpreter': v, '--erroronfail': f, '--log': v } as const;

export const sectionSpecs: Readonly<Record<string, SectionSpec>> = {
  '%packages': {
    kind: 'packages',
    options: { '--ignoremissing': f, '--excludedocs': f, '--nocore': f, '--inst-langs': v, '--multilib': f, '--exclude-weakdeps': f, '--default': f, '--retries': v, '--timeout': v },
  },
  '%pre': { kind: 'script', options: scriptOptions },
  '%pre-install': { kind: 'script', options: scriptOptions },
  '%post': { kind: 'script', options: { ...scriptOptions, '--nochroot': f } },
  '%onerror': { kind: 'script', options: scriptOptions },
};
