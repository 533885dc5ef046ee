import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../striker/core/errors/index.js';
import { bridgeFor, renderDomainXml, type DomainXmlInput } from './domain-xml.js';

const base: DomainXmlInput = {
  name: 'srv01', uuid: '0b6c1a52-1f53-4d0e-9a54-3c7f1e2d9a10', vcpus: 2, memoryMiB: 2048, disk: '/dev/drbd3',
  installIso: '/mnt/shared/files/rhel-9.4.iso', driverIso: '/mnt/shared/files/virtio-win.iso',
  networks: [{ network: 'ifn1' }, { network: 'bcn1', mac: '52:54:00:AA:bb:cc' }], osVariant: 'rhel9.4',
};

describe('renderDomainXml', () => {
  const xml = renderDomainXml(base);

  it.each([
    ['name and uuid', ['<name>srv01</name>', '<uuid>0b6c1a52-1f53-4d0e-9a54-3c7f1e2d9a10</uuid>']],
    ['vCPUs and RAM', ["<vcpu placement='static'>2</vcpu>", "<memory unit='MiB'>2048</memory>"]],
    ['the DRBD device as a virtio block disk without host cache', ["<disk type='block' device='disk'>", "cache='none'", "<source dev='/dev/drbd3'/>", "<target dev='vda' bus='virtio'/>"]],
    ['both ISOs as read-only cdroms', ["<source file='/mnt/shared/files/rhel-9.4.iso'/>", "<target dev='sda' bus='sata'/>", "<source file='/mnt/shared/files/virtio-win.iso'/>", "<target dev='sdb' bus='sata'/>", '<readonly/>']],
    ['bridges on the IFN and BCN, the given MAC normalised', ["<source bridge='ifn1_bridge1'/>", "<source bridge='bcn1_bridge1'/>", "<mac address='52:54:00:aa:bb:cc'/>"]],
    ['a serial console', ["<serial type='pty'>", "<target type='serial' port='0'/>"]],
    ['the OS variant as libosinfo metadata', ["<libosinfo:os id='http://redhat.com/rhel/9.4'/>"]],
    ['KVM with the host CPU model', ["<domain type='kvm'", "<cpu mode='host-model' check='partial'/>"]],
  ])('%s', (_what, parts) => {
    for (const part of parts) expect(xml).toContain(part);
  });

  it('disk first, then the install ISO', () => {
    expect(xml.indexOf("<boot dev='hd'/>")).toBeLessThan(xml.indexOf("<boot dev='cdrom'/>"));
  });

  it('a TCG lab guest: file disk, qemu64, pc machine with IDE cdroms, kernel boot, console log', () => {
    const lab = renderDomainXml({
      ...base, disk: '/var/lib/striker/srv01.img', hypervisor: 'qemu', machine: 'pc', osVariant: 'generic',
      consoleLog: '/var/log/striker/srv01.console', directBoot: { kernel: '/srv/vmlinuz', initrd: '/srv/initrd.gz', cmdline: 'console=ttyS0 panic=-1' },
    });
    for (const part of ["<domain type='qemu'", "<disk type='file' device='disk'>", "<source file='/var/lib/striker/srv01.img'/>", '<model fallback=\'allow\'>qemu64</model>',
      "<target dev='hda' bus='ide'/>", '<kernel>/srv/vmlinuz</kernel>', '<cmdline>console=ttyS0 panic=-1</cmdline>', "<log file='/var/log/striker/srv01.console' append='on'/>"]) {
      expect(lab).toContain(part);
    }
    expect(lab).not.toContain('<boot dev=');
    expect(lab).not.toContain('libosinfo:os');
  });

  it('no ISOs, no networks: no cdrom, no interface', () => {
    const plain = renderDomainXml({ ...base, installIso: undefined, driverIso: undefined, networks: [] });
    expect(plain).not.toContain("device='cdrom'");
    expect(plain).not.toContain('<interface');
  });

  it('bridgeFor names the bridge striker/setup makes', () => expect(bridgeFor('ifn2')).toBe('ifn2_bridge1'));

  it('lists every bad field at once', () => {
    let error: unknown;
    try {
      renderDomainXml({ ...base, name: '1srv', uuid: 'nope', vcpus: 0, memoryMiB: 10, osVariant: 'beos', networks: [{ network: 'sn1' }], installIso: 'rel.iso' });
    } catch (e) { error = e; }
    expect(error).toBeInstanceOf(ValidationError);
    const paths = ((error as ValidationError).details['problems'] as { path: string }[]).map((p) => p.path).sort();
    expect(paths).toEqual(['installIso', 'memoryMiB', 'name', 'networks.0.network', 'osVariant', 'uuid', 'vcpus']);
  });
});
