import { describe, expect, it } from 'vitest';
import { ValidationError } from '../striker/core/errors/index.js';
import { sampleInput, testRootHash, testToken } from '../test/fixtures/kickstart/sample-input.js';
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
    expect(text).toContain(`%pre --interpreter=/bin/sh --erroronfail --log=/tmp/striker-ks-pre.log\n${renderDiskScript(diskRulesByRole.dr)}%end\n`);
    expect(text).toContain('\n%include /tmp/part-include\n');
  });

  it('gives each role its package set', () => {
    expect(packagesByRole.node).toEqual(expect.arrayContaining(['pacemaker', 'pcs', 'fence-agents-all', 'drbd-utils', 'kmod-drbd', 'libvirt', 'qemu-kvm']));
    expect(packagesByRole.dr).toEqual(expect.arrayContaining(['drbd-utils', 'kmod-drbd', 'libvirt', 'qemu-kvm']));
    expect(packagesByRole.dr).not.toContain('pacemaker');
    expect(packagesByRole.dr).not.toContain('pcs');
    expect(packagesByRole.striker).toEqual(expect.arrayContaining(['postgresql-server', 'striker']));
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
