/**
 * A loader the firmware refused, inferred from the boot timeline. Striker cannot see inside the
 * machine: UEFI firmware with Secure Boot enforced downloads an unsigned or untrusted loader
 * (plain ipxe.efi, a shim not signed by a key in its db) completely, refuses to start it, and
 * moves on to its next boot option — a new DHCPDISCOVER from the firmware itself (PXE again, or
 * HTTP boot). What Striker sees is exactly that:
 *
 *   1. a DHCP answer handed the machine's firmware (not iPXE) a TFTP loader,
 *   2. the firmware fetched that loader completely over TFTP,
 *   3. the same machine's firmware (again not iPXE, not an OS client) started DHCP again within
 *      `windowMs`, and nothing in between asked for anything the loader would fetch (shim asks
 *      for grubx64.efi, GRUB for its config, iPXE sends DHCP as iPXE).
 *
 * Then `observe` returns one `loader.refused` event that says so and names the inference; a
 * loader that ran (any later request from the machine) or a retry after the window gives none.
 * A loader that fails for another reason after the download (corrupt file, wrong architecture)
 * looks the same from the network; the event's `inference` says what was seen, and Secure Boot is
 * named as the likely cause because it is the common one. Pure: time comes from the events.
 */
import type { BootEvent } from './timeline.js';

export const REFUSAL_WINDOW_MS = 120_000;
/** Machines remembered at once; the oldest is forgotten first (a flood of made-up MACs stays bounded). */
const MAX_MACHINES = 4096;

interface Handed {
  file: string;
  firmware: string;
}

interface Fetched extends Handed {
  /** When the loader's transfer ended, ms since the epoch. */
  endedAt: number;
}

/** Firmware classes that are the machine's own firmware, not a loader Striker handed out. */
function isFirmware(firmware: unknown): firmware is string {
  return typeof firmware === 'string' && !firmware.startsWith('ipxe-');
}

const tftpName = (file: unknown): string => String(file ?? '').replace(/^\/+/, '');

export class LoaderRefusalWatch {
  private readonly handed = new Map<string, Handed>();
  private readonly fetched = new Map<string, Fetched>();

  constructor(private readonly windowMs = REFUSAL_WINDOW_MS) {}

  /** Feeds one timeline event (with its MAC resolved); returns a `loader.refused` event when the pattern completes. */
  observe(event: BootEvent): BootEvent | undefined {
    const mac = event.mac;
    if (mac === undefined) return undefined;
    const d = event.details;
    switch (event.step) {
      case 'dhcp.ack':
      case 'dhcp.proxy': {
        if (isFirmware(d['firmware']) && typeof d['file'] === 'string' && d['file'] !== '' && !/^https?:/.test(d['file'])) {
          remember(this.handed, mac, { file: tftpName(d['file']), firmware: d['firmware'] });
        }
        return undefined;
      }
      case 'dhcp.discover': {
        const fetched = this.fetched.get(mac);
        if (fetched === undefined) return undefined;
        this.fetched.delete(mac);
        const firmware = d['firmware'];
        if (!isFirmware(firmware)) return undefined; // iPXE (the loader ran) or an OS client
        const afterMs = event.at.getTime() - fetched.endedAt;
        if (afterMs < 0 || afterMs > this.windowMs) return undefined;
        return refusal(event, fetched, firmware, afterMs);
      }
      case 'tftp.transfer': {
        const file = tftpName(d['file']);
        const handed = this.handed.get(mac);
        if (handed !== undefined && file === handed.file) {
          // The firmware's size probe (tsize, then an error) comes first; only a complete transfer counts.
          if (d['outcome'] === 'ok') {
            remember(this.fetched, mac, { ...handed, endedAt: event.at.getTime() + Number(d['durationMs'] ?? 0) });
          }
          return undefined;
        }
        this.fetched.delete(mac); // the loader ran: it asked for its next file
        return undefined;
      }
      case 'http.file':
      case 'kickstart.fetched':
        this.fetched.delete(mac);
        return undefined;
      default:
        return undefined;
    }
  }
}

function remember<T>(map: Map<string, T>, mac: string, value: T): void {
  map.delete(mac);
  map.set(mac, value);
  if (map.size > MAX_MACHINES) map.delete(map.keys().next().value!);
}

function refusal(event: BootEvent, fetched: Fetched, retryFirmware: string, afterMs: number): BootEvent {
  const seconds = (afterMs / 1000).toFixed(1);
  return {
    step: 'loader.refused',
    mac: event.mac!,
    ...(event.ip === undefined ? {} : { ip: event.ip }),
    at: event.at,
    details: {
      message: 'loader refused by Secure Boot',
      file: fetched.file,
      firmware: fetched.firmware,
      retryFirmware,
      afterMs,
      inference:
        `the firmware fetched ${fetched.file} completely over TFTP, then started DHCP again as ${retryFirmware} ${seconds} s later ` +
        'without requesting anything the loader would fetch: it did not start the loader; with Secure Boot enforced this is the ' +
        'signature check refusing it (an unsigned loader, or one signed by a key the firmware does not trust)',
    },
  };
}
