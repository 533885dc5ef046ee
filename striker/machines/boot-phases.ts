/**
 * Where a machine's last boot spent its time, computed from its boot timeline. Pure.
 *
 * A boot starts at a DHCPDISCOVER from PXE firmware (the `firmware` the DHCP server classified;
 * an installer's own DHCP has none). A discover before the boot's first ACK is a retry, and
 * iPXE's discover after a first loader is the same boot chaining on; any other firmware
 * discover starts a new boot.
 *
 * Within the boot, each milestone ends one phase, which began at the milestone before it, so the
 * phases add up to the whole boot and a wait shows in the phase it delays (iPXE's IPv6
 * autoconfiguration, for one, in `script`):
 *
 *   dhcp        DHCP discover → ack
 *   loader      the first loader (undionly.kpxe, ipxe.efi, shim, GRUB) transferred
 *   dhcp-again  the loader's own DHCP exchange (iPXE chained from native PXE)
 *   script      the boot script or config (iPXE script, GRUB config, pxelinux config) served
 *   kernel      the kernel transferred
 *   initrd      the initrd transferred
 *   kickstart   the kickstart fetched (the kernel booting and the installer starting)
 *   install     install finished or failed
 *   registered  the host registered with its one-time token
 *
 * A transfer's milestone is the end of the transfer; its own time and size are kept too
 * (`transferMs`, `bytes`), so a slow link shows apart from a slow client. Milestones that were
 * not recorded (a tree that records no file events) simply merge into the next phase.
 */

export type BootPhaseName = 'dhcp' | 'loader' | 'dhcp-again' | 'script' | 'kernel' | 'initrd' | 'kickstart' | 'install' | 'registered';

export interface BootPhase {
  name: BootPhaseName;
  /** The milestone the phase began at (`start`: the boot's first DHCPDISCOVER). */
  from: BootPhaseName | 'start';
  startAt: Date;
  endAt: Date;
  durationMs: number;
  /** The file, for transfer milestones. */
  file?: string;
  /** The transfer's own duration and size, when recorded. */
  transferMs?: number;
  bytes?: number;
  /** `failed` for kickstart.failed. */
  outcome?: string;
}

/** The fields of a timeline entry the computation reads (TimelineEntry, BootEvent and their wire forms). */
export interface PhaseEvent {
  at: Date | string;
  step: string;
  details: Record<string, unknown>;
}

interface Milestone {
  name: BootPhaseName;
  at: number;
  file?: string;
  transferMs?: number;
  bytes?: number;
  outcome?: string;
}

/** The phases of the last boot in `events` (any order); [] when there is none. */
export function bootPhases(events: readonly PhaseEvent[]): BootPhase[] {
  const sorted = events
    .map((e) => ({ e, at: typeof e.at === 'string' ? Date.parse(e.at) : e.at.getTime() }))
    .filter((x) => Number.isFinite(x.at))
    .sort((a, b) => a.at - b.at);
  let start: number | undefined;
  let milestones: Milestone[] = [];
  const seen = (name: BootPhaseName): boolean => milestones.some((m) => m.name === name);
  for (const { e, at } of sorted) {
    const d = e.details;
    if (e.step === 'dhcp.discover' && typeof d['firmware'] === 'string') {
      const retry = start !== undefined && !seen('dhcp');
      const chained = start !== undefined && seen('loader') && !seen('dhcp-again') && !seen('script') && String(d['firmware']).startsWith('ipxe');
      if (!retry && !chained) {
        start = at;
        milestones = [];
      }
      continue;
    }
    if (start === undefined) continue;
    const m = milestoneOf(e.step, d, at);
    if (m === undefined) continue;
    if (m.name === 'dhcp' && seen('dhcp')) {
      if (seen('loader') && !seen('dhcp-again') && !seen('script')) milestones.push({ ...m, name: 'dhcp-again' });
      continue;
    }
    if (!seen(m.name)) milestones.push(m);
  }
  if (start === undefined) return [];
  milestones.sort((a, b) => a.at - b.at);
  let from: BootPhaseName | 'start' = 'start';
  let previous = start;
  return milestones.map((m) => {
    const phase: BootPhase = {
      name: m.name,
      from,
      startAt: new Date(previous),
      endAt: new Date(m.at),
      durationMs: Math.max(0, m.at - previous),
      ...(m.file === undefined ? {} : { file: m.file }),
      ...(m.transferMs === undefined ? {} : { transferMs: m.transferMs }),
      ...(m.bytes === undefined ? {} : { bytes: m.bytes }),
      ...(m.outcome === undefined ? {} : { outcome: m.outcome }),
    };
    from = m.name;
    previous = Math.max(previous, m.at);
    return phase;
  });
}

function milestoneOf(step: string, d: Record<string, unknown>, at: number): Milestone | undefined {
  switch (step) {
    case 'dhcp.ack':
      return { name: 'dhcp', at };
    case 'kickstart.fetched':
      return d['outcome'] === 'served' ? { name: 'kickstart', at } : undefined;
    case 'install.finished':
      return { name: 'install', at };
    case 'kickstart.failed':
      return { name: 'install', at, outcome: 'failed' };
    case 'host.registered':
      return { name: 'registered', at };
    case 'tftp.transfer':
    case 'http.file': {
      const file = typeof d['file'] === 'string' ? d['file'] : '';
      const outcome = d['outcome'];
      const kind = outcome === 'rendered' ? 'script' : fileKind(file);
      if (kind === undefined || (outcome !== 'ok' && outcome !== 'rendered')) return undefined;
      const transferMs = typeof d['durationMs'] === 'number' ? d['durationMs'] : undefined;
      const bytes = typeof d['bytes'] === 'number' ? d['bytes'] : undefined;
      // TFTP records a transfer when it began, HTTP when it ended; the milestone is the end.
      const end = step === 'tftp.transfer' && transferMs !== undefined ? at + transferMs : at;
      return { name: kind, at: end, file, ...(transferMs === undefined ? {} : { transferMs }), ...(bytes === undefined ? {} : { bytes }) };
    }
    default:
      return undefined;
  }
}

/** What a boot file is, by its path: a loader, a boot script or config, a kernel or an initrd. */
export function fileKind(file: string): 'loader' | 'script' | 'kernel' | 'initrd' | undefined {
  const base = file.slice(file.lastIndexOf('/') + 1).toLowerCase();
  if (/(^|\/)boot\/(ipxe|grub|pxelinux)\b|pxelinux\.cfg\/|\.ipxe$|grub\.cfg$/i.test(file)) return 'script';
  if (/\.(efi|kpxe|pxe|0)$/.test(base) || file.includes('loaders/')) return 'loader';
  if (/initrd|initramfs/.test(base)) return 'initrd';
  if (/vmlinuz|bzimage|^linux$|^kernel/.test(base)) return 'kernel';
  return undefined;
}
