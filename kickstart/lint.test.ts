import { describe, expect, it } from 'vitest';
import { lintKickstart, splitWords, type LintProblem } from './lint.js';

/**
 * A full kickstart around the case's lines: they start at line 2. A case that brings its own
 * rootpw replaces the default one.
 */
function kickstart(extra: readonly string[]): string {
  const rootpw = extra.some((l) => l.startsWith('rootpw')) ? [] : ['rootpw --lock'];
  return `${['url --url=http://10.0.0.1/os/', ...extra, 'lang en_US.UTF-8', ...rootpw, '%packages', '@core', '%end'].join('\n')}\n`;
}

const error = (line: number, command: string, message: string): LintProblem => ({ line, severity: 'error', command, message: `${command}: ${message}` });
const warning = (line: number, command: string, message: string): LintProblem => ({ line, severity: 'warning', command, message: `${command}: ${message}` });

const deprecatedOptionText = (option: string): string =>
  `The ${option} option has been deprecated and no longer has any effect. It may be removed from future releases, which will result in a fatal error from kickstart. Please modify your kickstart file to remove this option.`;

const raidMembers = ['part raid.01 --size=1024 --ondisk=sda', 'part raid.02 --size=1024 --ondisk=sdb'];

describe('lintKickstart against the RHEL 9 grammar', () => {
  // Each case: its lines (from line 2 on) and the exact list of findings.
  const cases: [string, string[], LintProblem[]][] = [
    // The wrong passes of issue 21.
    ['part --size is an integer', ['part / --size=abc --fstype=xfs'], [error(2, 'part', "option --size expects an integer, got 'abc'")]],
    ['logvol --size is an integer (no unit)', ['part pv.01 --size=1 --grow', 'volgroup vg pv.01', 'logvol / --vgname=vg --name=root --size=10GiB'], [error(4, 'logvol', "option --size expects an integer, got '10GiB'")]],
    ['rootpw --iscrypted with no password', ['rootpw --iscrypted'], [error(2, 'rootpw', 'A single argument is expected for the rootpw command: the password (or --lock)')]],
    ['bootloader --location choices', ['bootloader --location=floppy'], [error(2, 'bootloader', "option --location expects one of mbr, partition, none, boot, got 'floppy'")]],
    ['network --onboot is a ksboolean', ['network --bootproto=dhcp --device=eth0 --onboot=maybe'], [error(2, 'network', "option --onboot expects a boolean (on|yes|true|1|off|no|false|0), got 'maybe'")]],
    ['raid --level choices', [...raidMembers, 'raid / --level=RAID7 --device=root raid.01 raid.02'], [error(4, 'raid', "option --level expects one of RAID0, 0, RAID1, 1, RAID4, 4, RAID5, 5, RAID6, 6, RAID10, 10, got 'RAID7'")]],
    ['raid --metadata is not an option', [...raidMembers, 'raid /boot/efi --level=RAID1 --device=boot_efi --fstype=efi --metadata=1.0 raid.01 raid.02'], [error(4, 'raid', 'unknown option --metadata')]],
    ['biosboot on two disks is a duplicate mount point (pykickstart warning)', ['part biosboot --fstype=biosboot --size=1 --ondisk=sda', 'part biosboot --fstype=biosboot --size=1 --ondisk=sdb'], [warning(3, 'part', 'A partition with the mountpoint biosboot has already been defined.')]],
    ['firewall --telnet was removed', ['firewall --enabled --telnet'], [error(2, 'firewall', 'option --telnet was removed from the kickstart grammar in F14; use --service=telnet')]],
    ['ignoredisk --interactive was removed', ['ignoredisk --only-use=sda --interactive'], [error(2, 'ignoredisk', 'option --interactive was removed from the kickstart grammar in F34 (RHEL 9)')]],
    ['auth is deprecated', ['auth --enableshadow --passalgo=sha512'], [warning(2, 'auth', 'The authconfig command will be deprecated, use authselect instead.')]],
    ['timezone --ntpservers is deprecated', ['timezone UTC --ntpservers=ntp.example'], [warning(2, 'timezone', 'The option --ntpservers will be deprecated in future releases. Please modify your kickstart file to replace this option with timesource --ntp-server <server hostname> command invocation, one per NTP server.')]],
    // The wrong refusal: a repo of the installation tree has no URL.
    ['repo --name alone is a repo of the installation tree', ['repo --name=AppStream'], []],
    // More of the grammar.
    ['repo takes at most one URL kind', ['repo --name=x --baseurl=http://a/ --mirrorlist=http://b/'], [error(2, 'repo', 'Only one of --baseurl, --mirrorlist, --metalink options may be specified for repo command')]],
    ['repo --ignoregroups is deprecated', ['repo --name=x --baseurl=http://a/ --ignoregroups=true'], [warning(2, 'repo', deprecatedOptionText('--ignoregroups'))]],
    ['repo names are unique', ['repo --name=x --baseurl=http://a/', 'repo --name=x --baseurl=http://b/'], [warning(3, 'repo', 'A repo with the name x has already been defined.')]],
    ['partition --active was removed in RHEL 9', ['part / --size=1024 --active'], [error(2, 'part', 'option --active was removed from the kickstart grammar in RHEL 9; it had no effect on GPT disks')]],
    ['install was removed in RHEL 9', ['install'], [error(2, 'install', 'install was removed in RHEL 9: use its method (url, nfs, cdrom, harddrive, liveimg) as a command')]],
    ['btrfs is not supported', ['part / --size=1024 --fstype=btrfs'], [error(2, 'part', 'option --fstype=btrfs: Btrfs file system is not supported (RHEL 8 and later)')]],
    ['a mount point used twice across part and logvol', ['part /boot --size=1024', 'part pv.01 --size=1 --grow', 'volgroup vg pv.01', 'logvol /boot/ --vgname=vg --name=boot --size=1024'], [error(5, 'logvol', 'mount point /boot is already used by part at line 2: two file systems cannot be mounted at one place')]],
    ['swap may repeat', ['part swap --size=1024 --ondisk=sda', 'part swap --size=1024 --ondisk=sdb'], []],
    ['raid device names are unique', [...raidMembers, 'part raid.03 --size=1 --ondisk=sda', 'part raid.04 --size=1 --ondisk=sdb', 'raid /boot --level=1 --device=md0 raid.01 raid.02', 'raid / --level=1 --device=0 raid.03 raid.04'], [warning(7, 'raid', 'A RAID device with the name 0 has already been defined.')]],
    ['raid needs members', ['raid / --level=1 --device=root'], [error(2, 'raid', 'Partitions required for raid')]],
    ['raid needs a level', [...raidMembers, 'raid / --device=root raid.01 raid.02'], [error(4, 'raid', 'RAID Partition defined without RAID level')]],
    ['raid needs --device', [...raidMembers, 'raid / --level=1 raid.01 raid.02'], [error(4, 'raid', 'option --device is required')]],
    ['undefined raid member', ['part raid.01 --size=1024', 'raid /boot --level=1 --device=boot raid.01 raid.02'], [error(3, 'raid', 'raid.02 is not defined by a part command')]],
    ['undefined volume group', ['logvol / --vgname=vg0 --name=root --size=100'], [error(2, 'logvol', 'volume group vg0 is not defined by volgroup')]],
    ['logvol needs a size', ['part pv.01 --size=1 --grow', 'volgroup vg pv.01', 'logvol / --vgname=vg --name=root'], [error(4, 'logvol', 'Size required: give --size, --percent, --recommended or --hibernation')]],
    ['autopart and part cannot be mixed', ['autopart --type=lvm', 'part /boot --size=1024'], [error(3, 'part', "The part and autopart commands can't be used at the same time (autopart at line 2)")]],
    ['network --ip must be an IPv4 address', ['network --bootproto=static --device=eth0 --ip=10.0.0.300 --netmask=255.255.255.0'], [error(2, 'network', "option --ip expects an IPv4 address, got '10.0.0.300'")]],
    ['network --bootproto choices', ['network --bootproto=manual --device=eth0'], [error(2, 'network', "option --bootproto expects one of dhcp, bootp, static, query, ibft, got 'manual'")]],
    ['ignoredisk needs one of its options', ['ignoredisk'], [error(2, 'ignoredisk', 'One of --drives or --only-use must be specified for ignoredisk command')]],
    ['timezone with nothing', ['timezone'], [error(2, 'timezone', 'At least one option and/or an argument are expected for the timezone command')]],
    ['eula needs --agreed', ['eula'], [error(2, 'eula', 'Kickstart command eula expects the --agreed option')]],
    ['unknown command', ['bogus --x'], [error(2, 'bogus', 'unknown command')]],
    ['unknown option', ['network --bootproto=static --devise=eth0'], [error(2, 'network', 'unknown option --devise')]],
    ['a unique prefix stands for the option (argparse)', ['ignoredisk --only=sda'], []],
    ['an ambiguous prefix', ['network --ipv=auto'], [error(2, 'network', 'option --ipv is ambiguous')]],
    ['flag given a value', ['text --non-interactive=yes'], [error(2, 'text', "option --non-interactive takes no value, got 'yes'")]],
    ['option missing its value', ['network --ip'], [error(2, 'network', 'option --ip needs a value (an IPv4 address)')]],
    ['option followed by another option', ['part / --size --grow'], [error(2, 'part', 'option --size needs a value (an integer)')]],
    ['too many arguments', ['lang de_DE.UTF-8 fr_FR.UTF-8'], [error(2, 'lang', 'expects 1 argument(s) (a language), got 2'), warning(3, 'lang', 'given more than once (first at line 2): only the last one counts')]],
    ['arguments to a command that takes none', ['zerombr now'], [error(2, 'zerombr', "takes no arguments, got 'now'")]],
    ['repeated single-use command', ['selinux --enforcing', 'selinux --permissive'], [warning(3, 'selinux', 'given more than once (first at line 2): only the last one counts')]],
    ['unterminated quote', ['bootloader --append="quiet'], [error(2, 'bootloader', 'unterminated " quote')]],
    // Sections.
    ['%anaconda is deprecated', ['%anaconda', 'pwpolicy root --minlen=10', '%end'], [warning(2, '%anaconda', 'The %anaconda section is deprecated in RHEL 9: use the Anaconda configuration file instead.')]],
    ['%pre takes no --nochroot', ['%pre --nochroot', 'echo', '%end'], [error(2, '%pre', 'unknown option --nochroot')]],
    ['%post options', ['%post --nochroot --interpreter=/bin/bash --erroronfail --log=/mnt/sysimage/root/ks.log', 'anything --goes here', '%end'], []],
    ['%onerror and %traceback', ['%onerror --interpreter=/bin/sh', 'echo failed', '%end', '%traceback', 'echo tb', '%end'], []],
    ['%addon passes its options on', ['%addon com_redhat_kdump --enable --reserve-mb=auto', '%end'], []],
    ['unknown section', ['%postinstall', '%end'], [error(2, '%postinstall', 'unknown section'), error(3, '%end', 'without an open section')]],
    ['stray %end', ['%end'], [error(2, '%end', 'without an open section')]],
    ['empty script sections', ['%post', '%end', '%pre', '%end'], []],
  ];

  it.each(cases)('%s', (_name, extra, expected) => {
    expect(lintKickstart(kickstart(extra)).problems).toEqual(expected);
  });

  it('url takes exactly one source; %packages options and their deprecated spellings', () => {
    const text = ['url --url=http://a/os/ --mirrorlist=http://m/', 'lang en_US.UTF-8', 'rootpw --lock', '%packages --instLangs=en --excludeWeakdeps --retries=x', '@core', '%end', '%packages', '%end'];
    expect(lintKickstart(`${text.join('\n')}\n`).problems).toEqual([
      error(1, 'url', 'Only one of --url, --mirrorlist or --metalink may be specified for url command'),
      warning(4, '%packages', 'The --instLangs option is deprecated in RHEL 9: use --inst-langs instead.'),
      warning(4, '%packages', 'The --excludeWeakdeps option is deprecated in RHEL 9: use --exclude-weakdeps instead.'),
      error(4, '%packages', "option --retries expects an integer, got 'x'"),
      error(7, '%packages', 'section given more than once (first at line 4)'),
    ]);
  });

  it('accepts the minimal kickstart', () => {
    expect(lintKickstart(kickstart([]))).toEqual({ ok: true, problems: [] });
  });

  it('a warning leaves the kickstart ok, an error does not', () => {
    expect(lintKickstart(kickstart(['timezone UTC --nontp'])).ok).toBe(true);
    expect(lintKickstart(kickstart(['part / --size=abc'])).ok).toBe(false);
  });

  it('checks %packages lines: packages, groups with their options, environments, modules, exclusions', () => {
    const text = ['url --url=http://s/os/', 'lang en_US.UTF-8', 'rootpw --lock', '%packages --exclude-weakdeps --inst-langs=en --timeout=30', '@core', '@base --nodefaults --optional', '@^minimal-environment', '@nodejs:18/common', '-plymouth', 'kmod-drbd*', 'vim; rm -rf /', '@core --bogus', '%end'];
    expect(lintKickstart(`${text.join('\n')}\n`).problems).toEqual([
      error(11, '%packages', 'not a package, group or exclusion: vim; rm -rf /'),
      error(12, '%packages', 'not a package, group or exclusion: @core --bogus'),
    ]);
  });

  it('reports an unclosed section at the line that opened it, with the line of the section that follows', () => {
    const text = `${['url --url=http://s/os/', 'lang en_US.UTF-8', 'rootpw --lock', '%packages', '@core', '%end', '%post', 'echo hi', '%pre', 'echo', '%end', '%post --nochroot'].join('\n')}\n`;
    expect(lintKickstart(text).problems).toEqual([
      error(7, '%post', 'Section %post does not end with %end (%pre starts at line 9)'),
      error(12, '%post', 'Section %post does not end with %end'),
    ]);
  });

  it('requires url, lang, rootpw and %packages unless linting a fragment', () => {
    expect(lintKickstart('zerombr\n').problems.map((p) => p.message)).toEqual([
      'missing required command url', 'missing required command lang', 'missing required command rootpw', 'missing %packages section',
    ]);
    expect(lintKickstart('zerombr\n', { fragment: true })).toEqual({ ok: true, problems: [] });
  });

  it('splits words like shlex', () => {
    expect(splitWords(`bootloader --append="a b" 'c d' e\\ f # comment`).words).toEqual(['bootloader', '--append=a b', 'c d', 'e f']);
    expect(splitWords('x --opt=a#b').words).toEqual(['x', '--opt=a#b']);
  });
});

describe('valid kickstarts produce no finding', () => {
  const valid: [string, string[], boolean][] = [
    ['a full node kickstart', [
      '#version=RHEL9', 'text', 'skipx', 'url --url=http://10.201.4.1/repo/almalinux-9/x86_64/os/',
      'repo --name=striker-baseos --baseurl=http://10.201.4.1/repo/almalinux-9/x86_64/BaseOS/ --cost=10',
      'lang en_US.UTF-8', 'keyboard --vckeymap=us --xlayouts=us', 'timezone America/Toronto --utc',
      'timesource --ntp-server=10.201.4.1', 'timesource --ntp-pool=pool.example --nts',
      'network --bootproto=static --device=52:54:00:00:0a:01 --ip=10.201.10.2 --netmask=255.255.0.0 --gateway=10.201.0.1 --nameserver=10.201.4.1,fd00::1 --hostname=an-a01n01.alteeve.example --activate --onboot=yes',
      'network --bootproto=dhcp --device=eth1 --onboot=off --no-activate --ipv6=auto',
      "rootpw --iscrypted --allow-ssh '$6$salt$hash'", 'sshkey --username=root "ssh-ed25519 AAAAC3Nza striker@example"',
      'selinux --enforcing', 'firewall --enabled --service=ssh,high-availability', 'services --enabled=chronyd,sshd',
      'firstboot --disable', 'eula --agreed', 'reboot --eject', '%include /tmp/part-include',
      '%packages --ignoremissing', '@core', 'striker-agent', '%end',
      '%pre --interpreter=/bin/sh --erroronfail --log=/tmp/ks-pre.log', 'set -eu', '%end',
      '%post --interpreter=/bin/bash --erroronfail --log=/root/striker-ks-post.log', 'dnf -y install x', '%end',
      '%onerror --interpreter=/bin/sh', 'tail -n 50 /tmp/anaconda.log', '%end',
    ], false],
    ['a UEFI RAID1 partition include for two disks', [
      'zerombr', 'clearpart --all --initlabel --disklabel=gpt --drives=sda,sdb', 'ignoredisk --only-use=sda,sdb',
      'bootloader --location=mbr --driveorder=sda,sdb',
      'part raid.efi0 --size=600 --ondisk=sda', 'part raid.boot0 --size=1024 --ondisk=sda', 'part raid.pv0 --size=1 --grow --ondisk=sda',
      'part raid.efi1 --size=600 --ondisk=sdb', 'part raid.boot1 --size=1024 --ondisk=sdb', 'part raid.pv1 --size=1 --grow --ondisk=sdb',
      'raid /boot/efi --level=RAID1 --device=boot_efi --fstype=efi raid.efi0 raid.efi1',
      'raid /boot --level=1 --device=boot --fstype=xfs raid.boot0 raid.boot1',
      'raid pv.01 --level=raid1 --device=pv00 raid.pv0 raid.pv1', 'volgroup striker_vg --pesize=4096 pv.01',
      'logvol / --vgname=striker_vg --name=root --fstype=xfs --size=40960 --grow', 'logvol swap --vgname=striker_vg --name=swap --size=8192',
    ], true],
    ['a BIOS plain partition include', [
      'zerombr', 'clearpart --all --initlabel', 'ignoredisk --only-use=sda', 'bootloader --location=mbr --boot-drive=sda --timeout=5 --append="console=ttyS0,115200 quiet"',
      'part biosboot --fstype=biosboot --size=1 --ondisk=sda', 'part /boot --fstype=xfs --size=1024 --ondisk=sda',
      'part pv.01 --size=1 --grow --ondisk=sda', 'volgroup vg pv.01', 'logvol / --vgname=vg --name=root --percent=80',
      'logvol swap --vgname=vg --name=swap --recommended',
    ], true],
  ];

  it.each(valid)('%s', (_name, lines, fragment) => {
    expect(lintKickstart(`${lines.join('\n')}\n`, { fragment })).toEqual({ ok: true, problems: [] });
  });
});

describe('lintKickstart on hostile input', () => {
  it('never throws on random text, and every problem has a line within the file', () => {
    let seed = 0x12345678;
    const rand = (n: number): number => { seed = (seed * 1103515245 + 12345) >>> 0; return seed % n; };
    const alphabet = ['%packages', '%pre', '%post', '%end', '%include', 'part', 'raid', 'logvol', 'volgroup', 'network', 'autopart', '--', '--size', '--level', '=', '"', "'", '\\', '#', ' ', '\n', 'a', 'raid.1', 'pv.1', '/', '\t', '\u0000', 'é'];
    for (let i = 0; i < 2000; i++) {
      const text = Array.from({ length: rand(60) }, () => alphabet[rand(alphabet.length)]).join('');
      const lines = text.split('\n').length;
      const result = lintKickstart(text);
      for (const p of result.problems) expect(p.line).toBeLessThanOrEqual(lines);
    }
  });
});
