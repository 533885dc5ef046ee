import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DecodeError } from '../../striker/core/errors/index.js';
import { definitionHash, maxDefinitionBytes, normaliseDomainXml, readDomainXml } from './domain-definition.js';
import { renderDomainXml, type DomainXmlInput } from './domain-xml.js';

// `virsh dumpxml --inactive` of these two inputs, defined in libvirt 9.0.0 (QEMU 7.2).
const kvmInput: DomainXmlInput = {
  name: 'srv01', uuid: '6f1c2d3e-4a5b-4c6d-8e7f-001122334455', vcpus: 2, memoryMiB: 2048, disk: '/dev/drbd100',
  installIso: '/var/lib/striker/files/a.iso', driverIso: '/var/lib/striker/files/virtio.iso',
  networks: [{ network: 'ifn1' }, { network: 'bcn1', mac: '52:54:00:aa:bb:cc' }], osVariant: 'almalinux9', hypervisor: 'kvm', machine: 'q35',
  consoleLog: '/var/log/striker/srv01.console',
};
const tcgInput: DomainXmlInput = {
  name: 'srv02', uuid: '6f1c2d3e-4a5b-4c6d-8e7f-001122334466', vcpus: 1, memoryMiB: 128, disk: '/tmp/vol/srv02.img', networks: [],
  osVariant: 'generic', hypervisor: 'qemu', machine: 'pc', consoleLog: '/tmp/c/srv02.console',
  directBoot: { kernel: '/tmp/k', initrd: '/tmp/i', cmdline: 'console=ttyS0 quiet' },
};
const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');
const kvmDumped = fixture('srv01-kvm-inactive.xml');
const tcgDumped = fixture('srv02-tcg-inactive.xml');

describe('normaliseDomainXml', () => {
  it("makes the rendered XML and libvirt's inactive XML of the same domain equal", () => {
    expect(normaliseDomainXml(kvmDumped)).toBe(normaliseDomainXml(renderDomainXml(kvmInput)));
    expect(normaliseDomainXml(tcgDumped)).toBe(normaliseDomainXml(renderDomainXml(tcgInput)));
    expect(definitionHash(kvmDumped)).toBe(definitionHash(renderDomainXml(kvmInput)));
    expect(definitionHash(kvmDumped)).toMatch(/^[0-9a-f]{64}$/);
  });

  it('leaves out what libvirt adds: uuid, addresses, controllers, generated MACs, the emulator, memory units, the machine version', () => {
    const n = normaliseDomainXml(kvmDumped);
    for (const absent of ['<uuid', '<address', '<controller', '52:54:00:5b:68:df', '<emulator', 'pc-q35-7.2', 'isa-serial', "type='none'", 'xmlns:']) expect(n).not.toContain(absent);
    expect(n).toContain('<memory unit="KiB">2097152</memory>');
    expect(n).toContain('<type arch="x86_64" machine="q35">hvm</type>');
    // A MAC outside QEMU's range is the operator's and stays.
    expect(normaliseDomainXml(kvmDumped.replace('52:54:00:aa:bb:cc', '02:00:00:aa:bb:cc'))).toContain('<mac address="02:00:00:aa:bb:cc"/>');
  });

  it('sees a real change: memory, vCPUs, a disk, an ISO, a bridge, a MAC outside 52:54:00', () => {
    const base = definitionHash(kvmDumped);
    const changes = [
      kvmDumped.replace("<vcpu placement='static'>2</vcpu>", "<vcpu placement='static'>4</vcpu>"),
      kvmDumped.replace('2097152</memory>', '4194304</memory>'),
      kvmDumped.replace('/var/lib/striker/files/a.iso', '/var/lib/striker/files/b.iso'),
      kvmDumped.replace("bridge='ifn1_bridge1'", "bridge='bcn1_bridge1'"),
      kvmDumped.replace('52:54:00:aa:bb:cc', '02:00:00:aa:bb:cc'),
      kvmDumped.replace("cache='none'", "cache='writeback'"),
    ];
    for (const changed of changes) expect(definitionHash(changed), changed.slice(0, 80)).not.toBe(base);
  });

  it('ignores formatting: attribute order and quotes, whitespace, comments, units written another way', () => {
    const reformatted = kvmDumped
      .replace("<memory unit='KiB'>2097152</memory>", '<!-- mine --><memory unit="MiB">  2048 </memory>')
      .replace("<target dev='vda' bus='virtio'/>", '<target   bus="virtio" dev="vda" />');
    expect(definitionHash(reformatted)).toBe(definitionHash(kvmDumped));
  });

  it('reads the name and uuid, and refuses what is not a domain XML with a DecodeError', () => {
    expect(readDomainXml(kvmDumped)).toEqual({ name: 'srv01', uuid: '6f1c2d3e-4a5b-4c6d-8e7f-001122334455' });
    const refused = (xml: string) => {
      try {
        normaliseDomainXml(xml);
      } catch (error) {
        expect(error).toBeInstanceOf(DecodeError);
        return (error as Error).message;
      }
      throw new Error('accepted');
    };
    expect(refused('not xml at all <')).toMatch(/well-formed|domain/);
    expect(refused('<domain><name>x</name>')).toMatch(/well-formed/);
    expect(refused('<network><name>x</name></network>')).toMatch(/one <domain>/);
    expect(refused('<!DOCTYPE d [<!ENTITY a "aaaa">]><domain><name>&a;</name></domain>')).toMatch(/DOCTYPE/);
    expect(refused(`<domain><name>x</name><description>${'a'.repeat(maxDefinitionBytes)}</description></domain>`)).toMatch(/larger than/);
    expect(() => readDomainXml('<domain><uuid>x</uuid></domain>')).toThrow(/no <name>/);
  });
});
