/**
 * The boot plan: what one machine gets when it network-boots, decided per request from what the
 * operator described (striker/machines) and the outcome of its kickstart's pre-boot check
 * (kickstart/preboot-check.ts). Pure: the caller looks the facts up and renders the plan
 * (pxe/http/*-render.ts) as an iPXE script, a GRUB config or a pxelinux config.
 *
 * - A known machine with a role whose kickstart passed its check → the installer.
 * - An installed machine → its local disk.
 * - A machine whose install failed → its local disk (no install loop), until an operator asks for a
 *   reinstall (the machine is `assigned` again).
 * - A machine Striker does not know, or knows without a role → the configured default
 *   (`ignore`, `local` or the `discovery` menu, which waits until the operator assigns a role).
 * - A machine that should install but cannot (kickstart check failed or not run, no kickstart,
 *   no installation tree) → its local disk, with the reason, so the timeline says why.
 */
/** What a machine is for; the operator assigns it (striker/machines). */
export const machineRoles = ['striker', 'node', 'dr'] as const;
export type MachineRole = (typeof machineRoles)[number];
/** Where a machine is on its way from bare iron to installed. */
export type MachineState = 'discovered' | 'assigned' | 'installing' | 'installed' | 'failed';
export const machineStates: readonly MachineState[] = ['discovered', 'assigned', 'installing', 'installed', 'failed'];

export const unknownMachineActions = ['ignore', 'local', 'discovery'] as const;
export type UnknownMachineAction = (typeof unknownMachineActions)[number];

/** The parts of a `Machine` row the plan needs. */
export interface BootMachine {
  mac: string;
  role: MachineRole | null;
  state: MachineState;
  hostname: string | null;
}

/** The kickstart host for a machine and its last pre-boot check (same shape as `KickstartHost.check`). */
export interface BootKickstart {
  hostId: string;
  /** Kernel arguments the kickstart settings add to the installer's (after the PXE configuration's). */
  kernelArgs?: readonly string[];
  /** The kickstart's installation tree: the installer boots from it when the PXE configuration names no `installTree`. */
  tree?: BootTree;
  check: { status: 'ready' } | { status: 'failed'; problems: readonly string[] } | { status: 'unchecked' };
}

/** An installation tree's base URL and its kernel and initrd paths below it (same shape as the PXE `installTree`). */
export interface BootTree {
  url: string;
  kernel: string;
  initrd: string;
  stage2: boolean;
}

export interface BootPlanInput {
  /** Lower-case, colon-separated. */
  mac: string;
  /** `undefined` when Striker has no row for this MAC. */
  machine: BootMachine | undefined;
  /** The machine's kickstart host, when one is defined. */
  kickstart: BootKickstart | undefined;
  /** Whether the PXE configuration names an installation tree (kernel, initrd, stage2) to boot every installer from. */
  installTree: boolean;
  /** What a machine with no role gets. */
  unknown: UnknownMachineAction;
}

export type LocalReason =
  | 'installed'
  | 'install-failed'
  | 'default-local'
  | 'kickstart-check-failed'
  | 'kickstart-unchecked'
  | 'no-kickstart'
  | 'no-installation-tree';

export type BootPlan =
  | { action: 'install'; mac: string; hostId: string; role: MachineRole; hostname: string | null; reason: 'role-assigned'; kernelArgs?: readonly string[]; tree?: BootTree }
  | { action: 'local'; mac: string; reason: LocalReason; problems?: readonly string[] }
  | { action: 'discovery'; mac: string; reason: 'unknown-machine' | 'no-role' }
  | { action: 'ignore'; mac: string; reason: 'unknown-machine' | 'no-role' };

export function planBoot(input: BootPlanInput): BootPlan {
  const { mac, machine } = input;
  if (machine === undefined || machine.role === null) {
    const reason = machine === undefined ? 'unknown-machine' : 'no-role';
    if (input.unknown === 'local') return { action: 'local', mac, reason: 'default-local' };
    return { action: input.unknown, mac, reason };
  }
  if (machine.state === 'installed') return { action: 'local', mac, reason: 'installed' };
  if (machine.state === 'failed') return { action: 'local', mac, reason: 'install-failed' };
  const ks = input.kickstart;
  if (ks === undefined) return { action: 'local', mac, reason: 'no-kickstart' };
  if (ks.check.status === 'failed') return { action: 'local', mac, reason: 'kickstart-check-failed', problems: ks.check.problems };
  if (ks.check.status === 'unchecked') return { action: 'local', mac, reason: 'kickstart-unchecked' };
  if (!input.installTree && ks.tree === undefined) return { action: 'local', mac, reason: 'no-installation-tree' };
  return {
    action: 'install', mac, hostId: ks.hostId, role: machine.role, hostname: machine.hostname, reason: 'role-assigned',
    ...(ks.kernelArgs === undefined || ks.kernelArgs.length === 0 ? {} : { kernelArgs: ks.kernelArgs }),
    ...(input.installTree || ks.tree === undefined ? {} : { tree: ks.tree }),
  };
}

/** The timeline/log facts of a plan: never the kickstart URL (it carries a signature). */
export function describePlan(plan: BootPlan): Record<string, unknown> {
  const facts: Record<string, unknown> = { action: plan.action, reason: plan.reason };
  if (plan.action === 'install') facts['hostId'] = plan.hostId;
  if (plan.action === 'local' && plan.problems !== undefined) facts['problems'] = plan.problems.slice(0, 20);
  return facts;
}
