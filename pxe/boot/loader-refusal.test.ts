import { describe, expect, it } from 'vitest';
import { LoaderRefusalWatch } from './loader-refusal.js';
import type { BootEvent, BootStep } from './timeline.js';

const mac = '52:54:00:77:51:20';
const t0 = Date.parse('2026-12-06T08:00:00Z');
const ev = (step: BootStep, seconds: number, details: Record<string, unknown>, who = mac): BootEvent => ({ step, mac: who, ip: '10.77.50.100', at: new Date(t0 + seconds * 1000), details });

/** OVMF under Secure Boot handed ipxe.efi: a tsize probe, the full download, then its next boot option. */
const refusedBoot: BootEvent[] = [
  ev('dhcp.discover', 0, { firmware: 'uefi-x64' }),
  ev('dhcp.ack', 3, { firmware: 'uefi-x64', file: 'ipxe.efi' }),
  ev('tftp.transfer', 3.1, { file: 'ipxe.efi', outcome: 'client-error', bytes: 0, durationMs: 20 }),
  ev('tftp.transfer', 3.2, { file: 'ipxe.efi', outcome: 'ok', bytes: 1_000_000, durationMs: 800 }),
  ev('dhcp.discover', 9, { firmware: 'uefi-x64-http' }),
];

function run(events: BootEvent[], watch = new LoaderRefusalWatch()): BootEvent[] {
  return events.map((e) => watch.observe(e)).filter((e): e is BootEvent => e !== undefined);
}

describe('LoaderRefusalWatch', () => {
  it('reports a loader fetched completely and followed by the firmware starting over, naming the inference', () => {
    const out = run(refusedBoot);
    expect(out).toHaveLength(1);
    expect(out[0]).toMatchObject({
      step: 'loader.refused',
      mac,
      ip: '10.77.50.100',
      at: new Date(t0 + 9000),
      details: { message: 'loader refused by Secure Boot', file: 'ipxe.efi', firmware: 'uefi-x64', retryFirmware: 'uefi-x64-http', afterMs: 5000 },
    });
    expect(out[0]!.details['inference']).toMatch(/^the firmware fetched ipxe\.efi completely over TFTP, then started DHCP again as uefi-x64-http 5\.0 s later without requesting anything the loader would fetch/);
  });

  it.each<[string, BootEvent[]]>([
    ['the shim asked for grubx64.efi (it ran)', [...refusedBoot.slice(0, 4), ev('tftp.transfer', 4.5, { file: 'grubx64.efi', outcome: 'ok', durationMs: 10 }), ev('dhcp.discover', 60, { firmware: 'uefi-x64' })]],
    ['iPXE started DHCP (it ran)', [...refusedBoot.slice(0, 4), ev('dhcp.discover', 5, { firmware: 'ipxe-uefi-x64' })]],
    ['the installed OS asked for an address', [...refusedBoot.slice(0, 4), ev('dhcp.discover', 30, { firmware: null })]],
    ['the firmware came back after the window', [...refusedBoot.slice(0, 4), ev('dhcp.discover', 600, { firmware: 'uefi-x64' })]],
    ['the download did not complete', [...refusedBoot.slice(0, 3), ev('tftp.transfer', 3.2, { file: 'ipxe.efi', outcome: 'timeout', durationMs: 8000 }), ev('dhcp.discover', 20, { firmware: 'uefi-x64' })]],
    ['the loader came by HTTP boot', [ev('dhcp.ack', 1, { firmware: 'uefi-x64-http', file: 'http://10.77.50.1:8080/boot/loaders/ipxe.efi' }), ev('dhcp.discover', 20, { firmware: 'uefi-x64-http' })]],
    ['iPXE was handed its script', [ev('dhcp.ack', 1, { firmware: 'ipxe-bios', file: 'ipxe/x.ipxe' }), ev('tftp.transfer', 2, { file: 'ipxe/x.ipxe', outcome: 'ok', durationMs: 1 }), ev('dhcp.discover', 20, { firmware: 'ipxe-bios' })]],
  ])('reports nothing when %s', (_name, events) => {
    expect(run(events)).toEqual([]);
  });

  it('keeps machines apart, and reports each refusal once', () => {
    const other = '52:54:00:77:51:30';
    const events = [...refusedBoot.slice(0, 4), ev('dhcp.discover', 5, { firmware: 'uefi-x64' }, other), refusedBoot[4]!, ev('dhcp.discover', 12, { firmware: 'uefi-x64' })];
    expect(run(events).map((e) => e.mac)).toEqual([mac]);
  });

  it('the leading slash of a TFTP request does not hide the loader', () => {
    const events = [ev('dhcp.ack', 1, { firmware: 'uefi-x64', file: 'shimx64.efi' }), ev('tftp.transfer', 2, { file: '/shimx64.efi', outcome: 'ok', durationMs: 100 }), ev('dhcp.discover', 8, { firmware: 'uefi-x64' })];
    expect(run(events)).toHaveLength(1);
  });

  it('remembers a bounded number of machines, forgetting the oldest', () => {
    const watch = new LoaderRefusalWatch();
    const macs = Array.from({ length: 5000 }, (_, i) => `52:54:01:00:${((i >> 8) & 0xff).toString(16).padStart(2, '0')}:${(i & 0xff).toString(16).padStart(2, '0')}`);
    for (const m of macs) run([ev('dhcp.ack', 1, { firmware: 'uefi-x64', file: 'ipxe.efi' }, m), ev('tftp.transfer', 2, { file: 'ipxe.efi', outcome: 'ok', durationMs: 1 }, m)], watch);
    expect(run([ev('dhcp.discover', 5, { firmware: 'uefi-x64' }, macs[0])], watch)).toEqual([]);
    expect(run([ev('dhcp.discover', 5, { firmware: 'uefi-x64' }, macs[4999])], watch)).toHaveLength(1);
  });
});
