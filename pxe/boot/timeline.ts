/**
 * The boot timeline: every step a machine takes while it boots from Striker (DHCP, TFTP, HTTP,
 * kickstart, install finished or failed, registered; a loader the firmware refused, inferred by
 * loader-refusal.ts). Servers in `pxe/` report steps through the
 * `BootTimeline` seam; the database-backed store lives with the machines code, tests use
 * `MemoryTimeline`.
 */
export type BootStep =
  | 'dhcp.discover'
  | 'dhcp.offer'
  | 'dhcp.request'
  | 'dhcp.ack'
  | 'dhcp.nak'
  | 'dhcp.decline'
  | 'dhcp.release'
  | 'dhcp.inform'
  | 'dhcp.proxy'
  | 'tftp.transfer'
  | 'loader.refused'
  | 'http.file'
  | 'kickstart.fetched'
  | 'install.finished'
  | 'kickstart.failed'
  | 'host.registered';

export interface BootEvent {
  step: BootStep;
  /** Lower-case colon-separated MAC, when the step identifies one. */
  mac?: string;
  /** The peer's IPv4 address, when known. */
  ip?: string;
  at: Date;
  /** Step-specific facts: file, bytes, options, durationMs, outcome, xid… Never secrets. */
  details: Record<string, unknown>;
}

export interface BootTimeline {
  record(event: BootEvent): void;
}

/** In-memory timeline for tests and for running without a database. */
export class MemoryTimeline implements BootTimeline {
  readonly events: BootEvent[] = [];
  record(event: BootEvent): void {
    this.events.push(event);
  }
}
