import { describe, expect, it } from 'vitest';
import { defaultHostName, identityDefaults } from './identity-defaults.js';
import { checkIdentity, checkStep } from './identity-schema.js';
import { sampleIdentity } from './sample-identity.js';

describe('Striker identity validation', () => {
  it('accepts a complete identity and normalises case and spaces', () => {
    const checked = checkIdentity({ ...sampleIdentity(), prefix: ' AN ', domain: 'Alteeve.Example', sequence: '1', mtu: '9000' });
    expect(checked).toEqual({ ok: true, value: { ...sampleIdentity(), mtu: 9000 } });
  });

  it('lists every problem of the host step at once, each with its field path', () => {
    const checked = checkStep('host', { prefix: 'toolong', sequence: '0', domain: 'bad_domain!', hostName: '' });
    expect(checked.ok).toBe(false);
    if (checked.ok) return;
    expect(checked.problems).toEqual([
      { path: 'prefix', message: "must be 1 to 5 letters, like an — got 'toolong'" },
      { path: 'sequence', message: "must be a whole number from 1 to 99 — got '0'" },
      { path: 'domain', message: "must be a domain like example.com (letters, digits, dashes, dots) — got 'bad_domain!'" },
      { path: 'hostName', message: "must be a host name like example.com (letters, digits, dashes, dots) — got ''" },
    ]);
  });

  it('refuses a single-label domain, which no other machine can resolve names under', () => {
    const checked = checkStep('host', { prefix: 'an', sequence: '1', domain: 'localdomain', hostName: 'an-striker01.localdomain' });
    expect(checked).toEqual({ ok: false, problems: [{ path: 'domain', message: "must have at least two labels, like example.lan (a single word is not a domain) — got 'localdomain'" }] });
    expect(checkStep('host', { prefix: 'an', sequence: '1', domain: 'site.lan', hostName: 'an-striker01.site.lan' }).ok).toBe(true);
  });

  it('ties each network to at most two NICs, and a NIC to one network', () => {
    const networks = {
      ...sampleIdentity().networks,
      bcn: { ...sampleIdentity().networks.bcn, links: ['52:54:00:AA:00:01', '52:54:00:aa:00:02'] },
      sn: { ...sampleIdentity().networks.sn, links: ['52-54-00-aa-00-02'] },
      mn: { ...sampleIdentity().networks.mn, links: ['52:54:00:aa:00:04', '52:54:00:aa:00:05', '52:54:00:aa:00:06'] },
    };
    const checked = checkStep('networks', { networks });
    expect(checked.ok).toBe(false);
    if (checked.ok) return;
    expect(checked.problems).toEqual([
      { path: 'networks.mn.links', message: expect.stringContaining('takes one NIC, or two for a bond') },
      { path: 'networks.sn.links.0', message: '52:54:00:aa:00:02 already carries the BCN; a NIC serves one network' },
    ]);
    const ok = checkStep('networks', { networks: { ...networks, sn: sampleIdentity().networks.sn, mn: sampleIdentity().networks.mn } });
    expect(ok.ok && ok.value.networks.bcn.links).toEqual(['52:54:00:aa:00:01', '52:54:00:aa:00:02']);
  });

  it('checks the relations between network fields: own subnet, gateway, no overlaps', () => {
    const networks = {
      bcn: { subnet: '10.201.0.0/16', address: '10.201.0.0' },
      sn: { subnet: '10.0.0.0/8', address: '10.101.4.1' },
      ifn: { subnet: '192.168.122.0/24', address: '192.168.122.10', gateway: '192.168.1.1' },
      mn: { subnet: '10.199.0.0/16', address: '10.201.4.1' },
    };
    const checked = checkStep('networks', { networks });
    expect(checked.ok).toBe(false);
    if (checked.ok) return;
    expect(checked.problems.map((p) => p.path)).toEqual([
      'networks.bcn.address',
      'networks.sn.subnet',
      'networks.ifn.gateway',
      'networks.mn.subnet',
      'networks.mn.address',
    ]);
    expect(checked.problems[1]!.message).toBe('overlaps the BCN subnet 10.201.0.0/16');
    expect(checked.problems[0]!.message).toBe("must be a host address inside 10.201.0.0/16 — got '10.201.0.0'");
  });

  it('shows shape and relation problems together when some fields are malformed', () => {
    const checked = checkStep('networks', {
      networks: {
        bcn: { subnet: '10.201.0.0/16', address: '10.202.4.1' },
        sn: { subnet: '10.101.0.0/16', address: 'x' },
        ifn: { subnet: '192.168.122.0/33', address: '192.168.122.10', gateway: '' },
        mn: { subnet: '10.199.0.0/16', address: '10.199.4.1', extra: 1 },
      },
    });
    expect(checked.ok).toBe(false);
    if (checked.ok) return;
    expect(checked.problems.map((p) => p.path).sort()).toEqual([
      'networks.bcn.address',
      'networks.ifn.gateway',
      'networks.ifn.subnet',
      'networks.mn.extra',
      'networks.sn.address',
    ]);
  });

  it('refuses a gateway that is the Striker itself, and checks services', () => {
    const identity = sampleIdentity();
    identity.networks.ifn.gateway = identity.networks.ifn.address;
    const a = checkIdentity(identity);
    expect(a.ok || a.problems).toEqual([{ path: 'networks.ifn.gateway', message: "must not be the Striker's own IFN address" }]);
    const b = checkStep('services', { dns: [], ntp: ['bad host!'], mtu: 'lots' });
    expect(b.ok || b.problems.map((p) => p.path)).toEqual(['dns', 'ntp.0', 'mtu']);
    const d = checkStep('networks', { networks: { ...sampleIdentity().networks, bcn: { subnet: '10.201.4.1/16', address: '10.201.4.1' } } });
    expect(d.ok || d.problems).toEqual([
      { path: 'networks.bcn.subnet', message: "must be a subnet like 10.201.0.0/16 (host bits zero, length 1–30; the network is 10.201.0.0/16) — got '10.201.4.1/16'" },
    ]);
    const c = checkStep('services', { dns: ['010.0.0.1'], ntp: ['010.0.0.1', '0.pool.ntp.org', '10.0.0.1', '10.1'], mtu: 1500 });
    expect(c.ok || c.problems).toEqual([
      { path: 'dns.0', message: "must be an IPv4 address like 10.201.4.1 — got '010.0.0.1'" },
      { path: 'ntp.0', message: "must be a host name or IPv4 address — got '010.0.0.1'" },
      { path: 'ntp.3', message: "must be a host name or IPv4 address — got '10.1'" },
    ]);
  });

  it('offers Anvil!-style defaults that fail only on what the site must give', () => {
    const defaults = identityDefaults();
    expect(defaults.networks.bcn).toEqual({ subnet: '10.201.0.0/16', address: '10.201.4.1' });
    expect(defaults.networks.sn).toEqual({ subnet: '10.101.0.0/16', address: '10.101.4.1' });
    expect(defaults.networks.mn).toEqual({ subnet: '10.199.0.0/16', address: '10.199.4.1' });
    const checked = checkIdentity(defaults);
    expect(defaults.dns).toEqual([]);
    expect(checked.ok || checked.problems.map((p) => p.path).sort()).toEqual([
      'dns',
      'domain',
      'hostName',
      'networks.ifn.address',
      'networks.ifn.gateway',
      'networks.ifn.subnet',
      'prefix',
    ]);
    expect(defaultHostName('an', 2, 'alteeve.example')).toBe('an-striker02.alteeve.example');
  });
});
