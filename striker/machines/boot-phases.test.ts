import { describe, expect, it } from 'vitest';
import { bootPhases, fileKind, type PhaseEvent } from './boot-phases.js';

const T = Date.parse('2026-12-06T08:00:00.000Z');
const ev = (ms: number, step: string, details: Record<string, unknown> = {}): PhaseEvent => ({ at: new Date(T + ms), step, details });
const summary = (events: PhaseEvent[]) => bootPhases(events).map((p) => `${p.from}→${p.name} ${p.durationMs}`);

/** A BIOS machine with QEMU's iPXE ROM, as Striker records it (bench timeline, kernel and initrd over HTTP). */
const ipxeRom: PhaseEvent[] = [
  ev(0, 'dhcp.discover', { firmware: 'ipxe-bios' }),
  ev(0, 'dhcp.offer', { firmware: 'ipxe-bios' }),
  ev(23, 'dhcp.request', { firmware: 'ipxe-bios' }),
  ev(23, 'dhcp.ack', { firmware: 'ipxe-bios' }),
  ev(88, 'tftp.transfer', { file: 'ipxe/52-54-00-77-5b-01.ipxe', outcome: 'rendered' }),
  ev(87, 'tftp.transfer', { file: 'ipxe/52-54-00-77-5b-01.ipxe', bytes: 480, durationMs: 20, outcome: 'ok' }),
  ev(553, 'http.file', { file: 'trees/test/vmlinuz', bytes: 8_000_000, durationMs: 430, outcome: 'ok' }),
  ev(686, 'http.file', { file: 'trees/test/initrd.img', bytes: 1_500_000, durationMs: 120, outcome: 'ok' }),
  ev(25_246, 'dhcp.discover', { firmware: null }),
  ev(25_282, 'dhcp.ack', { firmware: null }),
  ev(25_404, 'kickstart.fetched', { outcome: 'served' }),
  ev(25_480, 'http.file', { file: 'trees/test/packages/striker-agent-1.0-1.noarch.rpm', outcome: 'ok', durationMs: 3 }),
  ev(25_569, 'install.finished', {}),
];

describe('boot phases', () => {
  it('an iPXE ROM boot: each phase from the milestone before it, adding up to the whole boot', () => {
    expect(summary(ipxeRom)).toEqual(['start→dhcp 23', 'dhcp→script 84', 'script→kernel 446', 'kernel→initrd 133', 'initrd→kickstart 24718', 'kickstart→install 165']);
    const phases = bootPhases(ipxeRom);
    expect(phases.reduce((sum, p) => sum + p.durationMs, 0)).toBe(25_569);
    expect(phases.find((p) => p.name === 'kernel')).toMatchObject({ file: 'trees/test/vmlinuz', transferMs: 430, bytes: 8_000_000 });
    expect(phases[0]!.startAt.toISOString()).toBe('2026-12-06T08:00:00.000Z');
  });

  it("iPXE's IPv6 wait shows in the script phase", () => {
    const waited = ipxeRom.map((e) => (Date.parse(String(e.at instanceof Date ? e.at.toISOString() : e.at)) - T > 30 ? { ...e, at: new Date((e.at as Date).getTime() + 13_000) } : e));
    expect(bootPhases(waited).find((p) => p.name === 'script')?.durationMs).toBe(84 + 13_000);
  });

  it('native PXE → TFTP loader → iPXE DHCP again → script, with a DHCP retry inside the first exchange', () => {
    const events = [
      ev(0, 'dhcp.discover', { firmware: 'uefi-x64' }),
      ev(4000, 'dhcp.discover', { firmware: 'uefi-x64' }),
      ev(4010, 'dhcp.ack', { firmware: 'uefi-x64' }),
      ev(4100, 'tftp.transfer', { file: 'ipxe.efi', bytes: 1_000_000, durationMs: 900, outcome: 'ok' }),
      ev(6000, 'dhcp.discover', { firmware: 'ipxe-uefi-x64' }),
      ev(6050, 'dhcp.ack', { firmware: 'ipxe-uefi-x64' }),
      ev(6200, 'http.file', { file: 'boot/ipxe', bytes: 600, durationMs: 5, outcome: 'ok' }),
    ];
    expect(summary(events)).toEqual(['start→dhcp 4010', 'dhcp→loader 990', 'loader→dhcp-again 1050', 'dhcp-again→script 150']);
    expect(bootPhases(events)[1]).toMatchObject({ file: 'ipxe.efi', transferMs: 900 });
  });

  it('the last boot counts: a new firmware discover after a finished boot starts over', () => {
    const second = [...ipxeRom, ev(90_000, 'dhcp.discover', { firmware: 'ipxe-bios' }), ev(90_030, 'dhcp.ack', { firmware: 'ipxe-bios' })];
    expect(summary(second)).toEqual(['start→dhcp 30']);
    expect(bootPhases(second)[0]!.startAt.getTime()).toBe(T + 90_000);
  });

  it('milestones that were not recorded merge into the next phase; failures and refusals are not milestones', () => {
    const events = [
      ev(0, 'dhcp.discover', { firmware: 'ipxe-bios' }),
      ev(20, 'dhcp.ack', {}),
      ev(100, 'http.file', { file: 'boot/ipxe', outcome: 'ok', durationMs: 2 }),
      ev(300, 'kickstart.fetched', { outcome: 'blocked' }),
      ev(20_000, 'kickstart.fetched', { outcome: 'served' }),
      ev(400_000, 'kickstart.failed', {}),
    ];
    expect(summary(events)).toEqual(['start→dhcp 20', 'dhcp→script 80', 'script→kickstart 19900', 'kickstart→install 380000']);
    expect(bootPhases(events).at(-1)?.outcome).toBe('failed');
  });

  it('wire form (ISO strings) and any order give the same phases; no firmware discover gives none', () => {
    const wire = [...ipxeRom].reverse().map((e) => ({ ...e, at: (e.at as Date).toISOString() }));
    expect(bootPhases(wire)).toEqual(bootPhases(ipxeRom));
    expect(bootPhases([ev(0, 'dhcp.discover', { firmware: null }), ev(10, 'dhcp.ack')])).toEqual([]);
    expect(bootPhases([])).toEqual([]);
  });
});

describe('file kinds', () => {
  it.each([
    ['ipxe/52-54-00-77-5b-01.ipxe', 'script'],
    ['boot/ipxe/52:54:00:77:5b:01', 'script'],
    ['boot/grub/52:54:00:77:5b:01', 'script'],
    ['pxelinux.cfg/01-52-54-00-77-5b-01', 'script'],
    ['undionly.kpxe', 'loader'],
    ['boot/loaders/ipxe.efi', 'loader'],
    ['shimx64.efi', 'loader'],
    ['pxelinux.0', 'loader'],
    ['trees/alma/images/pxeboot/vmlinuz', 'kernel'],
    ['trees/alma/images/pxeboot/initrd.img', 'initrd'],
    ['trees/test/packages/pcs-0.11-1.x86_64.rpm', undefined],
  ])('%s → %s', (file, kind) => {
    expect(fileKind(file)).toBe(kind);
  });
});
