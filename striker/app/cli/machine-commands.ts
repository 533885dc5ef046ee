/**
 * `striker machines list|show|set|reinstall` and `striker leases`; `set` is the machines area's describe
 * action, `reinstall` its reinstall action (a machine whose install failed).
 */
import type { Command } from 'commander';
import { pxeHttpUrl } from '../config/cross-checks.js';
import { savedPxeConfig } from '../pxe-settings-actions.js';
import { reservedIpCheck } from '../reserved-ip-check.js';
import { describeMachine, getMachine, listMachines, machineMacOf, machineTimeline, parseDiskList, reinstallMachine, storedLeases } from '../../machines/index.js';
import { printResult, printRows } from './output.js';
import type { CliContext } from './cli-context.js';

export function addMachineCommands(program: Command, c: CliContext): void {
  const machines = program.command('machines').description('machines Striker has seen or been told about');

  machines
    .command('list')
    .description('discovered and known machines')
    .action(async () => {
      const list = await c.withDb((db) => listMachines(db));
      printRows(c.printer(), list, ['mac', 'hostname', 'role', 'state', 'reservedIp', 'vendor', 'firmware', 'lastSeenAt', 'installError']);
    });

  machines
    .command('show <mac>')
    .description('a machine and its boot timeline')
    .action(async (raw: string) => {
      const m = machineMacOf(raw);
      const result = await c.withDb(async (db) => ({ machine: await getMachine(db, m), timeline: await machineTimeline(db, m) }));
      const p = c.printer();
      printResult(p, result, () => {
        const x = result.machine;
        p.out(`${x.mac}  ${x.hostname ?? '-'}  ${x.role ?? 'no role'}  ${x.state}  ${x.reservedIp ?? ''}`);
        p.out(`install disks: ${x.installDisks?.join(' ') ?? 'the local disks the installer finds'}`);
        if (x.state === 'failed') p.out(`install failed: ${x.installError ?? 'no reason recorded'} (striker machines reinstall ${x.mac} installs it again at its next PXE boot)`);
        for (const e of result.timeline) p.out(`${e.at.toISOString()}  ${e.step.padEnd(18)} ${e.ip ?? ''}  ${JSON.stringify(e.details)}`);
      });
    });

  machines
    .command('set <mac>')
    .description('describe a machine: role, host name, reserved address, install disks')
    .option('--role <role>', 'striker, node or dr ("none" to clear)')
    .option('--hostname <name>', 'host name')
    .option('--ip <address>', 'reserved IPv4 address on the back-channel network')
    .option('--disks <names>', 'disks the OS install must use, in order, like sda,sdb ("" to let the installer pick the local disks)')
    .action(async (raw: string, o: { role?: string; hostname?: string; ip?: string; disks?: string }) => {
      const input: Record<string, unknown> = {};
      if (o.role !== undefined) input.role = o.role === 'none' ? null : o.role;
      if (o.hostname !== undefined) input.hostname = o.hostname;
      if (o.ip !== undefined) input.reservedIp = o.ip;
      if (o.disks !== undefined) input.installDisks = parseDiskList(o.disks);
      const config = c.config();
      const httpUrl = (at: { httpUrl?: string | undefined; address?: string | undefined }) => pxeHttpUrl({ ...config, pxe: { ...config.pxe, httpUrl: at.httpUrl, address: at.address } });
      const machine = await c.withDb((db) =>
        describeMachine(db, c.cliActor(), raw, input, {}, reservedIpCheck(db, () => savedPxeConfig({ db, base: config.pxe, httpUrl }))));
      const p = c.printer();
      printResult(p, machine, () => p.out(`${machine.mac} ${machine.role ?? 'no role'} ${machine.state}`));
    });

  machines
    .command('reinstall <mac>')
    .description('install a machine whose install failed again: it goes back to assigned, and its next PXE boot installs it')
    .action(async (raw: string) => {
      const machine = await c.withDb((db) => reinstallMachine(db, c.cliActor(), raw));
      const p = c.printer();
      printResult(p, machine, () => p.out(`${machine.mac} ${machine.role ?? 'no role'} ${machine.state}: its next PXE boot installs it`));
    });

  program
    .command('leases')
    .description('DHCP leases (as last mirrored to the database)')
    .action(async () => {
      const leases = await c.withDb((db) => storedLeases(db));
      printRows(c.printer(), leases, ['ip', 'mac', 'state', 'expiresAt', 'hostname']);
    });
}
