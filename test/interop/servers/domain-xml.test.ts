/**
 * Rendered domain XML checked by libvirt's own schema (`virt-xml-validate`, which needs xmllint):
 * a production server (KVM, DRBD device, both ISOs, IFN and BCN bridges), a TCG lab guest, and a
 * spoiled document that must fail, so the check can fail.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCommand } from '../../../striker/core/command/run-command.js';
import { renderDomainXml, type DomainXmlInput } from '../../../cluster/servers/index.js';

const work = mkdtempSync(join(tmpdir(), 'domain-xml-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

async function validate(xml: string) {
  const file = join(mkdtempSync(join(work, 'd-')), 'domain.xml');
  writeFileSync(file, xml);
  return runCommand(['virt-xml-validate', file, 'domain'], { timeoutMs: 30_000, okExitCodes: [0, 1, 2, 3, 4] });
}

const server: DomainXmlInput = {
  name: 'srv01', uuid: '0b6c1a52-1f53-4d0e-9a54-3c7f1e2d9a10', vcpus: 4, memoryMiB: 8192, disk: '/dev/drbd3',
  installIso: '/mnt/shared/files/rhel-9.4.iso', driverIso: '/mnt/shared/files/virtio-win.iso',
  networks: [{ network: 'ifn1', mac: '52:54:00:12:34:56' }, { network: 'bcn1' }], osVariant: 'rhel9.4', consoleLog: '/var/log/striker/servers/srv01.log',
};
const lab: DomainXmlInput = {
  name: 'tiny', uuid: '1ab20000-0000-4000-8000-000000000099', vcpus: 1, memoryMiB: 128, disk: '/var/lib/striker/tiny.img',
  hypervisor: 'qemu', machine: 'pc', directBoot: { kernel: '/srv/lab/vmlinuz', initrd: '/srv/lab/initrd.cpio.gz', cmdline: 'console=ttyS0 quiet panic=-1' },
  consoleLog: '/srv/lab/console.log',
};

describe('domain XML under virt-xml-validate', () => {
  it.each([
    ['a KVM server on its DRBD device with install and driver ISOs', server],
    ['the same with no ISOs and no networks', { ...server, installIso: undefined, driverIso: undefined, networks: [] }],
    ['a TCG lab guest booting a kernel from a file disk', lab],
  ])('%s validates', async (_what, input) => {
    const r = await validate(renderDomainXml(input));
    // xmllint reports on stderr, also when the document validates.
    expect(r.stderr.trim()).toMatch(/domain\.xml validates$/);
    expect(r.exitCode).toBe(0);
  });

  it.each([
    ['a vCPU count that is not a number', (x: string) => x.replace("<vcpu placement='static'>4</vcpu>", "<vcpu placement='static'>four</vcpu>")],
    ['a disk cache mode libvirt does not know', (x: string) => x.replace("cache='none'", "cache='sometimes'")],
  ])('a document with %s fails (the check can fail)', async (_what, spoil) => {
    const r = await validate(spoil(renderDomainXml(server)));
    expect(r.exitCode).not.toBe(0);
    expect(r.stderr).toMatch(/fails to validate/);
  });
});
