/**
 * The seam to the machines the operator described: a reservation by MAC. striker/app backs it
 * with the machines table (striker/machines/reservation-cache.ts); tests use a Map. May answer synchronously (a cache) or with a promise.
 */
export interface Reservation {
  /** Dotted IPv4 address. */
  ip: string;
  hostname?: string;
}

export interface MachineLookup {
  /** `mac` is lower-case, colon-separated. */
  reservationFor(mac: string): Reservation | undefined | Promise<Reservation | undefined>;
  /** True when `ip` is reserved for some machine, so the pool must not hand it to anyone else. */
  isReservedAddress?(ip: string): boolean;
  /** True when this MAC must get no answer at all (`pxe.unknownMachines: ignore` for a machine nobody described). */
  ignores?(mac: string): boolean;
}

export const noMachines: MachineLookup = { reservationFor: () => undefined };
