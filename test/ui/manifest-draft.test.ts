/**
 * The manifest wizard's pure parts (ui/src/lib/manifest): a new draft starts from the numbering
 * plan and becomes a document the manifest schema accepts once the site's own values are filled
 * in; typed values go to the server as typed; a stored manifest comes back as a draft that gives
 * the same document; secrets never leave in the kept draft; the diagram and its text alternative
 * show every host, link, fence and power device.
 */
import { describe, expect, it } from 'vitest';
import { fromDocument, newDraft, toDocument, withoutSecrets, fillPlan } from '../../ui/src/lib/manifest/draft.js';
import { describePair, layoutPair } from '../../ui/src/lib/manifest/diagram-layout.js';
import { manifestSchema, manifestViewSchema } from '../../striker/manifest/manifest-schema.js';
import { sampleManifest } from '../../striker/manifest/sample-manifest.js';
import type { ManifestShown } from '../../ui/src/lib/manifest/manifest-types.js';

function shown(): ManifestShown {
  const doc = sampleManifest();
  const set = { set: true };
  return manifestViewSchema.parse({
    ...doc,
    clusterPassword: set,
    hosts: {
      node1: { ...doc.hosts.node1, ipmi: { ...doc.hosts.node1.ipmi!, password: set } },
      node2: { ...doc.hosts.node2, ipmi: { ...doc.hosts.node2.ipmi!, password: set } },
      dr: doc.hosts.dr,
    },
    fenceDevices: doc.fenceDevices!.map((f) => ({ ...f, password: set })),
    upses: doc.upses!.map((u) => ({ ...u, password: set })),
  }) as ManifestShown;
}

describe('manifest draft', () => {
  it('starts with one BCN, SN and IFN at MTU 1500 and the addresses of the numbering plan', () => {
    const d = newDraft({ prefix: 'xy', domain: 'site.lan', ifnSubnet: '192.168.1.0/24', ifnGateway: '192.168.1.1' });
    expect(d.networks.map((n) => `${n.kind}${n.index} ${n.subnet} ${n.mtu}`)).toEqual(['bcn1 10.201.0.0/16 1500', 'sn1 10.101.0.0/16 1500', 'ifn1 192.168.1.0/24 1500']);
    expect(d.hosts.node1.addresses).toEqual({ bcn1: '10.201.10.1', sn1: '10.101.10.1', ifn1: '192.168.1.11' });
    expect(d.hosts.node2.addresses.bcn1).toBe('10.201.10.2');
    expect(d.hosts.node1.ipmi.address).toBe('10.201.11.1');
    expect(d.pair.prefix).toBe('xy');
  });

  it('moves untyped addresses with the pair number and keeps typed ones', () => {
    const d = newDraft();
    d.hosts.node1.addresses.bcn1 = '10.201.99.9';
    d.hosts.node1.edited.push('bcn1');
    d.pair.sequence = '2';
    fillPlan(d);
    expect(d.hosts.node1.addresses.bcn1).toBe('10.201.99.9');
    expect(d.hosts.node1.addresses.sn1).toBe('10.101.20.1');
    expect(d.hosts.node2.ipmi.address).toBe('10.201.21.2');
  });

  it('sends what was typed, as typed, so the server names a bad value', () => {
    const d = newDraft();
    d.pair.sequence = 'seven';
    d.networks[0]!.mtu = '1500x';
    const doc = toDocument(d);
    expect(doc.pair.sequence).toBe('seven');
    expect(doc.networks[0]!.mtu).toBe('1500x');
    const parsed = manifestSchema.safeParse(doc);
    expect(parsed.success).toBe(false);
  });

  it('gives a document the schema accepts once the site is described', () => {
    const d = fromDocument(shown());
    d.clusterPassword.value = 'a long cluster password';
    const doc = toDocument(d);
    expect(manifestSchema.safeParse(doc).error?.issues ?? []).toEqual([]);
    expect(doc.clusterPassword).toBe('a long cluster password');
    expect(doc.hosts.node1.ipmi?.password).toEqual({ set: true });
    expect(doc.fenceDevices?.[0]?.password).toEqual({ set: true });
  });

  it('round-trips a stored manifest through a draft', () => {
    const view = shown();
    const doc = toDocument(fromDocument(view));
    const { clusterPassword, ...rest } = doc;
    expect(clusterPassword).toEqual({ set: true });
    expect(rest.hosts).toEqual(JSON.parse(JSON.stringify(view.hosts)));
    expect(rest.networks).toEqual(view.networks);
    expect(rest.upses).toEqual(view.upses);
  });

  it("carries a NUT UPS's port: typed as text, a number in the document, absent when empty", () => {
    const d = fromDocument(shown());
    expect(d.upses[0]!.port).toBe('');
    expect(toDocument(d).upses?.[0]).not.toHaveProperty('port');
    d.upses[0]!.port = '3500';
    expect(toDocument(d).upses?.[0]?.port).toBe(3500);
    expect(fromDocument({ ...shown(), upses: [{ ...shown().upses[0]!, port: 3500 }] }).upses[0]!.port).toBe('3500');
    d.upses[0]!.port = '70000';
    const bad = manifestSchema.safeParse(toDocument(d));
    expect(bad.error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`)).toEqual(['upses.0.port: must be a TCP port from 1 to 65535']);
  });

  it('keeps no typed secret in the draft it stores in the browser', () => {
    const d = newDraft();
    d.clusterPassword.value = 'cluster-plain';
    d.hosts.node2.ipmi.password.value = 'bmc-plain';
    d.upses.push({ name: 'ups1', source: 'nut', address: '10.201.3.1', port: '', upsName: '', username: '', password: { value: 'ups-plain', stored: false }, powers: ['node1'] });
    const text = JSON.stringify(withoutSecrets(d));
    for (const secret of ['cluster-plain', 'bmc-plain', 'ups-plain']) expect(text).not.toContain(secret);
    expect(d.clusterPassword.value).toBe('cluster-plain');
  });
});

describe('pair diagram', () => {
  it('draws every host, BMC, device, network and NIC', () => {
    const layout = layoutPair(shown());
    expect(layout.boxes.filter((b) => b.kind === 'host').map((b) => b.label)).toEqual(['an-a01n01', 'an-a01n02', 'an-a01dr01']);
    expect(layout.boxes.filter((b) => b.kind === 'bmc')).toHaveLength(2);
    expect(layout.boxes.filter((b) => b.kind === 'pdu').map((b) => b.label)).toEqual(['pdu1']);
    expect(layout.boxes.filter((b) => b.kind === 'ups').map((b) => b.label)).toEqual(['ups1']);
    expect(layout.buses.map((b) => b.key)).toEqual(['bcn1', 'sn1', 'ifn1']);
    // Three hosts × three networks × a bond of two NICs.
    expect(layout.wires.filter((w) => w.kind === 'link')).toHaveLength(18);
    expect(layout.wires.filter((w) => w.kind === 'fence')).toHaveLength(2);
    expect(layout.wires.filter((w) => w.kind === 'power')).toHaveLength(3);
    for (const b of layout.boxes) expect(b.x + b.w).toBeLessThanOrEqual(layout.width);
  });

  it('says the same in words', () => {
    const text = describePair(shown()).join('\n');
    expect(text).toContain('an-anvil-01: an-a01n01, an-a01n02, an-a01dr01.');
    expect(text).toContain('an-a01n01 is fenced by IPMI at 10.201.11.1, then pdu1 outlet 1.');
    expect(text).toContain('an-a01dr01 is fenced by nothing.');
    expect(text).toContain('UPS ups1 (NUT at 10.201.3.1) powers an-a01n01, an-a01n02, an-a01dr01.');
    expect(text).toMatch(/an-a01n01 \(machine 52:54:00:a1:00:01\): bcn1 at 10\.201\.10\.1 over a bond of/);
  });
});
