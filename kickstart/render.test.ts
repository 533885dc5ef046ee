import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCommand } from '../striker/core/command/run-command.js';
import { ValidationError } from '../striker/core/errors/index.js';
import { sampleInput, testRootHash, testSshKey, testStrikerKeyUrl, testToken, testTreeKeyUrl } from '../test/fixtures/kickstart/sample-input.js';
import { golden } from '../test/fixtures/kickstart/golden-file.js';
import { diskRulesByRole } from './disk-rules.js';
import { renderDiskScript } from './disk-script.js';
import { lintKickstart } from './lint.js';
import { renderKickstart } from './render.js';
import { packagesByRole } from './role-packages.js';
import { roles } from './kickstart-input.js';

describe('renderKickstart', () => {
  it.each(roles)('renders the reviewed golden kickstart for a %s, and it lints clean', (role) => {
    const text = renderKickstart(sampleInput(role));
    expect(text).toBe(golden(`ks-${role}.ks`, text));
    expect(lintKickstart(text)).toEqual({ ok: true, problems: [] });
  });

  it('embeds the role disk planner as %pre and includes what it writes', () => {
    const text = renderKickstart(sampleInput('dr'));
    expect(text).toMatch(/%pre --interpreter=\/bin\/sh --erroronfail --log=\/tmp\/striker-ks-pre.log\ntrap [^\n]* EXIT\n/);
    expect(text).toContain(` EXIT\n${renderDiskScript(diskRulesByRole.dr)}%end\n`);
    expect(text).toContain('\n%include /tmp/part-include\n');
  });

  it('gives each role its package set', () => {
    expect(packagesByRole.node).toEqual(expect.arrayContaining(['pacemaker', 'pcs', 'fence-agents-all', 'drbd-utils', 'kmod-drbd', 'libvirt', 'qemu-kvm']));
    expect(packagesByRole.dr).toEqual(expect.arrayContaining(['drbd-utils', 'kmod-drbd', 'libvirt', 'qemu-kvm']));
    expect(packagesByRole.dr).not.toContain('pacemaker');
    expect(packagesByRole.dr).not.toContain('pcs');
    expect(packagesByRole.striker).toEqual(expect.arrayContaining(['postgresql-server', 'striker']));
    expect(packagesByRole.node).toContain('striker-agent');
    expect(packagesByRole.dr).toContain('striker-agent');
  });

  it('names every repo striker… on the repo lines and in striker.repo, with gpgcheck=1 and its keys', () => {
    const text = renderKickstart(sampleInput('node'));
    expect(text.split('\n').filter((l) => l.startsWith('repo '))).toEqual([
      'repo --name=striker-baseos --baseurl=http://10.201.4.1/trees/almalinux-9/BaseOS/',
      'repo --name=striker-appstream --baseurl=http://10.201.4.1/trees/almalinux-9/AppStream/',
      'repo --name=striker-highavailability --baseurl=http://10.201.4.1/repos/highavailability/',
      'repo --name=striker --baseurl=http://10.201.4.1/repos/striker/',
    ]);
    const repoFile = /<<'STRIKER_REPO'\n([\s\S]*?)STRIKER_REPO\n/.exec(text)?.[1] ?? '';
    expect(repoFile.match(/^\[.*\]$/gm)).toEqual(['[striker-baseos]', '[striker-appstream]', '[striker-highavailability]', '[striker]']);
    expect(repoFile.match(/^gpgcheck=.*$/gm)).toEqual(['gpgcheck=1', 'gpgcheck=1', 'gpgcheck=1', 'gpgcheck=1']);
    expect(repoFile).toContain(`[striker]\nname=striker (Striker mirror)\nbaseurl=http://10.201.4.1/repos/striker/\nenabled=1\ngpgcheck=1\ngpgkey=${testStrikerKeyUrl}\n`);
    expect(repoFile).toContain(`gpgkey=${testTreeKeyUrl}\n`);
    // Each key fetched and imported once, then the installed packages audited against them.
    expect(text.match(/^rpm --import .*$/gm)).toHaveLength(2);
    expect(text).toContain(`-o "$keys/1.asc" '${testTreeKeyUrl}'\n`);
    expect(text).toContain(`-o "$keys/2.asc" '${testStrikerKeyUrl}'\n`);
    expect(text).not.toContain('dnf ');
  });

  it('refuses a repo id that could collide with the distribution, a repo without a key and an id used twice', () => {
    const input = sampleInput('node');
    const problems = (repos: unknown) => { try { renderKickstart({ ...input, repos } as typeof input); return []; } catch (e) { return (e as ValidationError).problems.map((p) => `${p.path}: ${p.message}`); } };
    expect(problems([{ name: 'baseos', url: 'http://s/r/', gpgKeyUrls: ['http://s/k'] }])).toEqual([
      'repos.0.name: must be striker or start with striker- (letters, digits, dot, dash or underscore), so it cannot collide with a distribution repo id',
    ]);
    expect(problems([{ name: 'striker', url: 'http://s/r/', gpgKeyUrls: [] }])).toEqual(['repos.0.gpgKeyUrls: must name at least one key: packages are installed with gpgcheck=1']);
    expect(problems([{ name: 'striker', url: 'http://s/r/', gpgKeyUrls: ['http://s/k'] }, { name: 'striker', url: 'http://s/q/', gpgKeyUrls: ['http://s/k'] }])).toEqual(['repos: must not name a repo id twice']);
  });

  it("installs the Striker's SSH key for root and lets sshd take root's password only when asked", () => {
    const keyOnly = renderKickstart(sampleInput('dr'));
    expect(keyOnly).toContain(`\nrootpw --iscrypted ${testRootHash}\nsshkey --username=root "${testSshKey}"\n`);
    expect(keyOnly).toContain("<<'STRIKER_SSHD'\nPermitRootLogin prohibit-password\nSTRIKER_SSHD\n");
    const withPassword = renderKickstart({ ...sampleInput('dr'), rootPasswordLogin: true });
    expect(withPassword).toContain("<<'STRIKER_SSHD'\nPermitRootLogin yes\nSTRIKER_SSHD\n");
    expect(() => renderKickstart({ ...sampleInput('dr'), rootSshKey: 'ssh-ed25519 AAAA" --username=evil' })).toThrow(ValidationError);
  });

  it('installs the settings\' extra SSH keys for root, one sshkey line each, after the Striker\'s', () => {
    const extra = ['ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIExtraKeyOne admin@laptop', 'ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQ== ops'];
    const text = renderKickstart({ ...sampleInput('node'), extraRootSshKeys: extra });
    expect(text).toContain(`sshkey --username=root "${testSshKey}"\nsshkey --username=root "${extra[0]}"\nsshkey --username=root "${extra[1]}"\n`);
    expect(() => renderKickstart({ ...sampleInput('node'), extraRootSshKeys: ['ssh-ed25519 AAAA" --username=evil'] })).toThrow(ValidationError);
  });

  it('reports a failed install from %onerror to the signed failure URL, with its token and the reason %pre or %post wrote', () => {
    const input = sampleInput('node');
    input.timelineUrl = 'http://10.201.4.1/ks/host-node-1/events?exp=1&sig=abc';
    const text = renderKickstart(input);
    const onerror = /\n%onerror ([^\n]*)\n([\s\S]*?)\n%end\n/.exec(text);
    expect(onerror?.[1]).toBe('--interpreter=/usr/bin/python3 --log=/tmp/striker-ks-onerror.log');
    expect(onerror?.[2]).toContain("urllib.request.Request('http://10.201.4.1/ks/host-node-1/failed?exp=1&sig=abc'");
    expect(onerror?.[2]).toContain(`'token': '${input.registration.token}'`);
    expect(onerror?.[2]).toContain('for path in ["/tmp/striker-install-error","/mnt/sysimage/tmp/striker-install-error"]:');
    // %pre and %post write that reason when they fail.
    const pre = /\n%pre [^\n]*\n([^\n]*)\n/.exec(text)?.[1];
    expect(pre).toMatch(/^trap '.*> \/tmp\/striker-install-error; fi' EXIT$/);
    const post = /\n%post [^\n]*\nset -eu\n(?:[^\n]*\n)*?(trap [^\n]*)\n/.exec(text)?.[1];
    expect(post).toBe(`trap 'rc=$?; [ "$rc" = 0 ] || echo "%post failed while $step (exit $rc)\${detail:+: $detail}" > /tmp/striker-install-error' EXIT`);
    expect(lintKickstart(text)).toEqual({ ok: true, problems: [] });
  });

  it('%pre that fails writes the disk planner\'s own reason for %onerror (run under dash against a machine without disks)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ks-pre-'));
    try {
      mkdirSync(join(dir, 'sys', 'block'), { recursive: true });
      const pre = /\n%pre [^\n]*\n([\s\S]*?)\n%end\n/.exec(renderKickstart(sampleInput('node')))![1]!;
      writeFileSync(join(dir, 'pre.sh'), pre.replaceAll('/tmp/part-include', join(dir, 'part-include')).replaceAll('/tmp/striker-install-error', join(dir, 'reason')));
      const r = await runCommand(['dash', join(dir, 'pre.sh')], { timeoutMs: 20_000, env: { SYSFS_ROOT: join(dir, 'sys') }, okExitCodes: [0, 1] });
      expect(r.exitCode).toBe(1);
      expect(readFileSync(join(dir, 'reason'), 'utf8')).toMatch(/^%pre failed \(exit 1\): .+\n$/);
      expect(readFileSync(join(dir, 'reason'), 'utf8')).not.toContain('the disk planner stopped');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('writes the network without a gateway or DNS when there is none', () => {
    const input = sampleInput('node');
    input.host.bcn = { mac: '52:54:00:aa:bb:cc', ip: '10.101.0.5', prefix: 22, dns: [] };
    const line = renderKickstart(input).split('\n').find((l) => l.startsWith('network '));
    expect(line).toBe('network --bootproto=static --device=52:54:00:aa:bb:cc --ip=10.101.0.5 --netmask=255.255.252.0 --nodns --hostname=an-a01n01.alteeve.example --activate --onboot=yes');
  });

  it('refuses unsafe input with every problem listed, never echoing secrets', () => {
    const input = sampleInput('node');
    const bad = {
      ...input,
      rootPasswordHash: 'hunter2-plaintext',
      registration: { url: "http://s/reg'; rm -rf /", token: 'short' },
      tree: 'http://s/os/\nrootpw --plaintext x',
      host: { ...input.host, name: 'Bad_Name', bcn: { ...input.host.bcn, ip: '010.101.0.5' } },
      locale: { ...input.locale, ntpServers: ['010.0.0.1', '0.pool.ntp.org'] },
    };
    const error = (() => { try { renderKickstart(bad); return undefined; } catch (e) { return e; } })();
    expect(error).toBeInstanceOf(ValidationError);
    const problems = (error as ValidationError).problems.map((p) => p.path).sort();
    expect(problems).toEqual(['host.bcn.ip', 'host.name', 'locale.ntpServers.0', 'registration.token', 'registration.url', 'rootPasswordHash', 'tree']);
    const shown = `${(error as Error).message} ${JSON.stringify((error as ValidationError).details)}`;
    expect(shown).not.toContain('hunter2');
    expect(shown).not.toContain('short');
    expect(renderKickstart(input)).toContain(testRootHash);
    expect(renderKickstart(input)).toContain(testToken);
  });
});
