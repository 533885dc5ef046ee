/**
 * The DHCP server's view of the machines the operator described: reservations by MAC, answered
 * from memory (the packet path never waits on the database) and reloaded when machines change.
 */
import type { Logger } from 'pino';
import type { DbReader } from '../db/database.js';
import type { MachineLookup, Reservation } from '../../pxe/index.js';
import { describedMacs, reservations } from './machine-store.js';

export class ReservationCache implements MachineLookup {
  private byMac = new Map<string, Reservation>();
  private addresses = new Set<string>();
  private described = new Set<string>();
  private timer: NodeJS.Timeout | undefined;

  /** `ignoreUnknown`: machines nobody gave a role get no DHCP answer at all (`pxe.unknownMachines: ignore`). */
  constructor(private readonly db: DbReader, private readonly logger: Logger, private readonly refreshMs = 5000, private readonly ignoreUnknown = false) {}

  async start(): Promise<void> {
    await this.reload();
    this.timer = setInterval(() => void this.reload(), this.refreshMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  async reload(): Promise<void> {
    try {
      const map = await reservations(this.db);
      this.described = this.ignoreUnknown ? await describedMacs(this.db) : new Set();
      this.byMac = map;
      this.addresses = new Set([...map.values()].map((r) => r.ip));
    } catch (error) {
      this.logger.warn({ err: error }, 'could not reload DHCP reservations; keeping the last ones');
    }
  }

  reservationFor(mac: string): Reservation | undefined {
    return this.byMac.get(mac);
  }

  isReservedAddress(ip: string): boolean {
    return this.addresses.has(ip);
  }

  ignores(mac: string): boolean {
    return this.ignoreUnknown && !this.described.has(mac);
  }
}
