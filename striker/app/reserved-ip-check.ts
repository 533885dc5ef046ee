/**
 * The machines area's reserved-address rule as `striker serve` and the CLI both apply it: a
 * reserved address must be a host address on the network machines boot on — PXE's subnet (as it
 * runs, or as saved), else the wizard's BCN — and not the Striker's own.
 */
import type { DbReader } from '../db/database.js';
import { reservedIpProblem, runningPxeSettings, type PxeConfig } from '../../pxe/index.js';
import type { ReservedIpCheck } from '../machines/index.js';
import { loadIdentity } from '../setup/index.js';

export function reservedIpCheck(db: DbReader, pxeConfig: () => Promise<PxeConfig> | PxeConfig): ReservedIpCheck {
  return async (ip) => {
    const pxe = runningPxeSettings(await pxeConfig());
    if (pxe.subnet !== undefined && pxe.address !== undefined) return reservedIpProblem(ip, { subnet: pxe.subnet, address: pxe.address });
    const bcn = (await loadIdentity(db))?.identity.networks.bcn;
    return bcn === undefined ? undefined : reservedIpProblem(ip, bcn);
  };
}
