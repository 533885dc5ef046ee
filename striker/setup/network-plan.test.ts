import { describe, expect, it } from 'vitest';
import { planNetwork } from './network-plan.js';
import { sampleIdentity } from './sample-identity.js';

describe('network plan', () => {
  it('plans the host name, a bond of two links per network, bridges on BCN and IFN, and chrony', () => {
    const plan = planNetwork(sampleIdentity());
    const dir = '/etc/NetworkManager/system-connections';
    expect(plan.files.map((f) => f.path)).toEqual([
      '/etc/hostname',
      ...['bcn1_bridge1', 'bcn1_bond1', 'bcn1_link1', 'bcn1_link2'].map((n) => `${dir}/${n}.nmconnection`),
      ...['sn1_bond1', 'sn1_link1', 'sn1_link2'].map((n) => `${dir}/${n}.nmconnection`),
      ...['ifn1_bridge1', 'ifn1_bond1', 'ifn1_link1', 'ifn1_link2'].map((n) => `${dir}/${n}.nmconnection`),
      ...['mn1_bond1', 'mn1_link1', 'mn1_link2'].map((n) => `${dir}/${n}.nmconnection`),
      '/etc/chrony/conf.d/striker.conf',
    ]);
    expect(plan.files[0]!.content).toBe('an-striker01.alteeve.example\n');
    expect(plan.files.filter((f) => f.path.endsWith('.nmconnection')).every((f) => f.mode === 0o600)).toBe(true);
    expect(plan.commands.map((c) => c.argv.join(' '))).toEqual([
      'hostnamectl set-hostname an-striker01.alteeve.example',
      'nmcli connection reload',
      'nmcli connection up bcn1_bridge1',
      'nmcli connection up sn1_bond1',
      'nmcli connection up ifn1_bridge1',
      'nmcli connection up mn1_bond1',
      'chronyc reload sources',
    ]);
  });

  it('matches the links of a network to the NICs the wizard tied to it, by MAC', () => {
    const identity = sampleIdentity();
    identity.networks.sn = { ...identity.networks.sn, links: ['52:54:00:aa:00:03'] };
    identity.networks.bcn = { ...identity.networks.bcn, links: ['52:54:00:aa:00:01', '52:54:00:aa:00:02'] };
    const plan = planNetwork(identity);
    const file = (id: string) => plan.files.find((f) => f.path.endsWith(`/${id}.nmconnection`));
    expect(file('sn1_link2')).toBeUndefined();
    // Written the way NetworkManager writes MAC addresses itself: upper case.
    expect(file('sn1_link1')!.content).toBe('[connection]\nid=sn1_link1\ntype=ethernet\nautoconnect=true\nmaster=sn1_bond1\nslave-type=bond\n\n[ethernet]\nmac-address=52:54:00:AA:00:03\nmtu=1500\n');
    expect(file('bcn1_link2')!.content).toContain('mac-address=52:54:00:AA:00:02\n');
    expect(file('bcn1_bond1')!.content).not.toContain('primary=');
    // Networks with no NIC chosen keep the conventional names.
    expect(file('mn1_link2')!.content).toContain('interface-name=mn1_link2\n');
  });

  it('writes keyfiles NetworkManager reads: the IFN bridge carries address, gateway and DNS', () => {
    const plan = planNetwork(sampleIdentity({ mtu: 9000 }));
    const file = (id: string) => plan.files.find((f) => f.path.endsWith(`/${id}.nmconnection`))!.content;
    expect(file('ifn1_bridge1')).toBe(
      [
        '[connection]\nid=ifn1_bridge1\ntype=bridge\ninterface-name=ifn1_bridge1\nautoconnect=true\n',
        '[ethernet]\nmtu=9000\n',
        '[bridge]\nstp=false\n',
        '[ipv4]\nmethod=manual\naddress1=192.168.122.10/24,192.168.122.1\ndns=192.168.122.1;8.8.8.8;\ndns-search=alteeve.example;\n',
        '[ipv6]\nmethod=disabled\n',
      ].join('\n'),
    );
    expect(file('sn1_bond1')).toContain('[bond]\nmode=active-backup\nmiimon=100\nprimary=sn1_link1\n');
    expect(file('sn1_bond1')).toContain('[ipv4]\nmethod=manual\naddress1=10.101.4.1/16\nnever-default=true\n');
    expect(file('bcn1_bond1')).toContain('master=bcn1_bridge1\nslave-type=bridge');
    expect(file('bcn1_bond1')).not.toContain('[ipv4]');
    expect(file('mn1_link2')).toBe('[connection]\nid=mn1_link2\ntype=ethernet\ninterface-name=mn1_link2\nautoconnect=true\nmaster=mn1_bond1\nslave-type=bond\n\n[ethernet]\nmtu=9000\n');
  });

  it('leaves chrony alone when no NTP server is given', () => {
    const plan = planNetwork(sampleIdentity({ ntp: [] }));
    expect(plan.files.some((f) => f.path.includes('chrony'))).toBe(false);
    expect(plan.commands.some((c) => c.argv[0] === 'chronyc')).toBe(false);
  });
});
