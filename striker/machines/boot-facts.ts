/**
 * What PXE asks of the machines table: the facts for a machine's boot plan, and the IEEE vendor
 * of machines PXE has just discovered.
 */
import type { Logger } from 'pino';
import type { BootFacts, BootKickstart, BootMachine } from '../../pxe/index.js';
import type { DbReader, DbWriter } from '../db/database.js';
import { NotFoundError } from '../core/errors/index.js';
import { getMachine, setVendors } from './machine-store.js';

/**
 * Boot facts from the machines table; `kickstartFor` finds a machine's kickstart host and its
 * last pre-boot check (the kickstart area's `bootKickstart`, injected by striker/app).
 */
export function dbBootFacts(db: DbReader, kickstartFor: (machine: BootMachine) => Promise<BootKickstart | undefined>): BootFacts {
  return {
    async machine(mac) {
      try {
        const m = await getMachine(db, mac);
        return { mac: m.mac, role: m.role, state: m.state, hostname: m.hostname };
      } catch (error) {
        if (error instanceof NotFoundError) return undefined;
        throw error;
      }
    },
    kickstart: kickstartFor,
  };
}

/**
 * For DbTimeline's `onDiscovered`: stores the IEEE vendor of newly seen machines
 * (`vendorOf` from an OuiTable, oui.ts). Never throws; a failed write is logged.
 */
export function recordVendors(db: DbWriter, vendorOf: (mac: string) => string | undefined, logger: Logger): (macs: string[]) => void {
  return (macs) => {
    const known = macs.map((mac) => [mac, vendorOf(mac)] as const).filter((e): e is readonly [string, string] => e[1] !== undefined);
    if (known.length === 0) return;
    void setVendors(db, known).catch((error: unknown) => logger.warn({ err: error, machines: known.length }, 'could not store machine vendors'));
  };
}
