/**
 * A server's libvirt domain XML (https://libvirt.org/formatdomain.html), rendered from plain data
 * so the same server is defined identically on both subnodes.
 *
 * - The disk is the server's DRBD device as a virtio disk with `cache='none'`: writes go straight
 *   to DRBD (no host page cache that a live migration or a failover could lose), which is also
 *   what lets libvirt migrate a domain whose disk is not on a shared file system.
 * - The install ISO and the driver ISO (virtio drivers for Windows) are read-only cdroms; the
 *   firmware boots the disk first, then the install ISO, so an empty disk installs and an
 *   installed one boots.
 * - Each network is a virtio NIC on the host's bridge for that network (`ifn1_bridge1`, the
 *   name striker/setup gives a bridged network's connection).
 * - A serial console (pty, optionally logged to a file) with a matching `<console>`, so
 *   `virsh console` works and the log keeps the guest's output.
 * - `osVariant` is recorded as libosinfo metadata, as virt-install does.
 * - `cpu`: `host-model` for KVM (the subnodes are the same model of machine, so the guest can
 *   move between them); TCG (`type='qemu'`, test labs) gets the plain qemu64 model.
 */
import { z } from 'zod';
import { macSchema } from '../../striker/core/net/mac.js';
import { parseOrThrow } from '../../striker/core/validation/zod-problems.js';
import { absolutePathSchema, serverNameSchema } from './server-names.js';

/** libosinfo ids by short name (`osinfo-query os`), for the variants a server is installed from. */
export const osVariants: Readonly<Record<string, string>> = {
  'rhel8.10': 'http://redhat.com/rhel/8.10',
  'rhel9.4': 'http://redhat.com/rhel/9.4',
  'rhel9.6': 'http://redhat.com/rhel/9.6',
  'rhel10.0': 'http://redhat.com/rhel/10.0',
  almalinux9: 'http://almalinux.org/almalinux/9',
  rocky9: 'http://rockylinux.org/rocky/9',
  'centos-stream9': 'http://centos.org/centos-stream/9',
  'centos-stream10': 'http://centos.org/centos-stream/10',
  debian12: 'http://debian.org/debian/12',
  'ubuntu24.04': 'http://ubuntu.com/ubuntu/24.04',
  win2k19: 'http://microsoft.com/win/2k19',
  win2k22: 'http://microsoft.com/win/2k22',
  win11: 'http://microsoft.com/win/11',
  generic: '',
};

export const osVariantSchema = z.string().refine((v) => Object.hasOwn(osVariants, v), {
  message: `must be one of ${Object.keys(osVariants).join(', ')}`,
});

/** A network key like ifn1 or bcn1: servers attach to the IFN or the BCN. */
export const serverNetworkKeySchema = z.string().regex(/^(ifn|bcn)[1-9][0-9]?$/, 'must be an IFN or BCN network key like ifn1 or bcn1');

export const domainNetworkSchema = z.strictObject({
  network: serverNetworkKeySchema,
  /** The NIC's MAC; libvirt picks one (52:54:00:…) when absent, which then differs per node. */
  mac: macSchema.optional(),
});

export const domainXmlInputSchema = z.strictObject({
  name: serverNameSchema,
  uuid: z.uuid(),
  vcpus: z.int().min(1).max(256),
  memoryMiB: z.int().min(64).max(4 * 1024 * 1024),
  /** The disk's path: the DRBD device (`/dev/drbdN`, a block device) or, in a lab, a file. */
  disk: absolutePathSchema,
  installIso: absolutePathSchema.optional(),
  driverIso: absolutePathSchema.optional(),
  networks: z.array(domainNetworkSchema).max(8).default([]),
  osVariant: osVariantSchema.default('generic'),
  /** `kvm` on the subnodes; `qemu` (TCG) where there is no /dev/kvm. */
  hypervisor: z.enum(['kvm', 'qemu']).default('kvm'),
  machine: z.enum(['q35', 'pc']).default('q35'),
  /** A file the serial console's output is appended to. */
  consoleLog: absolutePathSchema.optional(),
  /** Boot a kernel and initrd directly instead of the disk (small test guests). */
  directBoot: z.strictObject({ kernel: absolutePathSchema, initrd: absolutePathSchema, cmdline: z.string().max(1000).default('') }).optional(),
});

export type DomainXmlInput = z.input<typeof domainXmlInputSchema>;
export type DomainSpec = z.output<typeof domainXmlInputSchema>;

/** The host bridge a network's NICs attach to. */
export function bridgeFor(network: string): string {
  return `${network}_bridge1`;
}

function esc(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/'/g, '&apos;').replace(/"/g, '&quot;');
}

/** Renders the domain XML; throws ValidationError naming every problem in the input. */
export function renderDomainXml(input: DomainXmlInput): string {
  const d = parseOrThrow(domainXmlInputSchema, input, 'domain');
  const osinfo = osVariants[d.osVariant] ?? '';
  const cdromBus = d.machine === 'q35' ? 'sata' : 'ide';
  const cdromDev = (i: number) => `${d.machine === 'q35' ? 'sd' : 'hd'}${String.fromCharCode(97 + i)}`;
  const diskIsBlock = d.disk.startsWith('/dev/');
  const isos = [d.installIso, d.driverIso].filter((p): p is string => p !== undefined);
  const lines = [
    `<domain type='${d.hypervisor}' xmlns:libosinfo='http://libosinfo.org/xmlns/libvirt/domain/1.0'>`,
    `  <name>${esc(d.name)}</name>`,
    `  <uuid>${d.uuid}</uuid>`,
    ...(osinfo === '' ? [] : [
      '  <metadata>',
      '    <libosinfo:libosinfo>',
      `      <libosinfo:os id='${esc(osinfo)}'/>`,
      '    </libosinfo:libosinfo>',
      '  </metadata>',
    ]),
    `  <memory unit='MiB'>${d.memoryMiB}</memory>`,
    `  <currentMemory unit='MiB'>${d.memoryMiB}</currentMemory>`,
    `  <vcpu placement='static'>${d.vcpus}</vcpu>`,
    '  <os>',
    `    <type arch='x86_64' machine='${d.machine}'>hvm</type>`,
    ...(d.directBoot
      ? [
          `    <kernel>${esc(d.directBoot.kernel)}</kernel>`,
          `    <initrd>${esc(d.directBoot.initrd)}</initrd>`,
          `    <cmdline>${esc(d.directBoot.cmdline)}</cmdline>`,
        ]
      : ["    <boot dev='hd'/>", "    <boot dev='cdrom'/>"]),
    '  </os>',
    '  <features>',
    '    <acpi/>',
    '    <apic/>',
    '  </features>',
    d.hypervisor === 'kvm'
      ? "  <cpu mode='host-model' check='partial'/>"
      : "  <cpu mode='custom' match='exact'><model fallback='allow'>qemu64</model></cpu>",
    "  <clock offset='utc'/>",
    '  <on_poweroff>destroy</on_poweroff>',
    '  <on_reboot>restart</on_reboot>',
    '  <on_crash>restart</on_crash>',
    '  <devices>',
    `    <disk type='${diskIsBlock ? 'block' : 'file'}' device='disk'>`,
    `      <driver name='qemu' type='raw' cache='none' io='native'/>`,
    `      <source ${diskIsBlock ? 'dev' : 'file'}='${esc(d.disk)}'/>`,
    "      <target dev='vda' bus='virtio'/>",
    '    </disk>',
    ...isos.flatMap((iso, i) => [
      "    <disk type='file' device='cdrom'>",
      "      <driver name='qemu' type='raw'/>",
      `      <source file='${esc(iso)}'/>`,
      `      <target dev='${cdromDev(i)}' bus='${cdromBus}'/>`,
      '      <readonly/>',
      '    </disk>',
    ]),
    ...d.networks.flatMap((n) => [
      "    <interface type='bridge'>",
      ...(n.mac === undefined ? [] : [`      <mac address='${n.mac}'/>`]),
      `      <source bridge='${bridgeFor(n.network)}'/>`,
      "      <model type='virtio'/>",
      '    </interface>',
    ]),
    "    <serial type='pty'>",
    ...(d.consoleLog === undefined ? [] : [`      <log file='${esc(d.consoleLog)}' append='on'/>`]),
    "      <target port='0'/>",
    '    </serial>',
    "    <console type='pty'>",
    "      <target type='serial' port='0'/>",
    '    </console>',
    "    <memballoon model='none'/>",
    '  </devices>',
    '</domain>',
    '',
  ];
  return lines.join('\n');
}
