import { describe, expect, it } from 'vitest';
import { describePlan, planBoot, type BootKickstart, type BootMachine, type BootPlan, type BootPlanInput } from './boot-plan.js';

const mac = '52:54:00:12:34:56';
const node = (over: Partial<BootMachine> = {}): BootMachine => ({ mac, role: 'node', state: 'assigned', hostname: 'an-a01n01', ...over });
const ready: BootKickstart = { hostId: 'an-a01n01', check: { status: 'ready' } };
const ksTree = { url: 'http://10.201.4.1:8080/trees/alma-9.4-x86_64/', kernel: 'images/pxeboot/vmlinuz', initrd: 'images/pxeboot/initrd.img', stage2: true };
const base: BootPlanInput = { mac, machine: node(), kickstart: ready, installTree: true, unknown: 'discovery' };

const cases: [string, Partial<BootPlanInput>, BootPlan][] = [
  ['known machine with a role and a ready kickstart installs', {}, { action: 'install', mac, hostId: 'an-a01n01', role: 'node', hostname: 'an-a01n01', reason: 'role-assigned' }],
  ['an installing machine that boots again installs again', { machine: node({ state: 'installing' }) }, { action: 'install', mac, hostId: 'an-a01n01', role: 'node', hostname: 'an-a01n01', reason: 'role-assigned' }],
  ['installed machine boots its disk', { machine: node({ state: 'installed' }) }, { action: 'local', mac, reason: 'installed' }],
  ['a machine whose install failed boots its disk until it is set to reinstall', { machine: node({ state: 'failed' }) }, { action: 'local', mac, reason: 'install-failed' }],
  ['installed wins over a failed check', { machine: node({ state: 'installed' }), kickstart: { hostId: 'h', check: { status: 'failed', problems: ['x'] } } }, { action: 'local', mac, reason: 'installed' }],
  ['failed check: local disk with the problems', { kickstart: { hostId: 'h', check: { status: 'failed', problems: ['package foo missing'] } } }, { action: 'local', mac, reason: 'kickstart-check-failed', problems: ['package foo missing'] }],
  ['unchecked kickstart is never handed out', { kickstart: { hostId: 'h', check: { status: 'unchecked' } } }, { action: 'local', mac, reason: 'kickstart-unchecked' }],
  ['role but no kickstart host', { kickstart: undefined }, { action: 'local', mac, reason: 'no-kickstart' }],
  ['no installation tree imported', { installTree: false }, { action: 'local', mac, reason: 'no-installation-tree' }],
  ['no tree configured: the kickstart\'s own tree boots the installer', { installTree: false, kickstart: { ...ready, tree: ksTree } }, { action: 'install', mac, hostId: 'an-a01n01', role: 'node', hostname: 'an-a01n01', reason: 'role-assigned', tree: ksTree }],
  ['a configured tree wins over the kickstart\'s', { kickstart: { ...ready, tree: ksTree } }, { action: 'install', mac, hostId: 'an-a01n01', role: 'node', hostname: 'an-a01n01', reason: 'role-assigned' }],
  ['unknown MAC, default discovery', { machine: undefined, kickstart: undefined }, { action: 'discovery', mac, reason: 'unknown-machine' }],
  ['unknown MAC, default ignore', { machine: undefined, unknown: 'ignore' }, { action: 'ignore', mac, reason: 'unknown-machine' }],
  ['unknown MAC, default local', { machine: undefined, unknown: 'local' }, { action: 'local', mac, reason: 'default-local' }],
  ['discovered machine without a role gets the default', { machine: node({ role: null, state: 'discovered' }) }, { action: 'discovery', mac, reason: 'no-role' }],
  ['machine whose role was removed gets the default even with a kickstart', { machine: node({ role: null }), unknown: 'ignore' }, { action: 'ignore', mac, reason: 'no-role' }],
  ['dr role installs too', { machine: node({ role: 'dr' }) }, { action: 'install', mac, hostId: 'an-a01n01', role: 'dr', hostname: 'an-a01n01', reason: 'role-assigned' }],
];

describe('planBoot', () => {
  it.each(cases)('%s', (_name, change, expected) => {
    expect(planBoot({ ...base, ...change })).toEqual(expected);
  });
});

describe('describePlan', () => {
  it('gives the action, reason, host and at most 20 problems', () => {
    expect(describePlan(planBoot(base))).toEqual({ action: 'install', reason: 'role-assigned', hostId: 'an-a01n01' });
    const many = Array.from({ length: 30 }, (_, i) => `p${i}`);
    const facts = describePlan(planBoot({ ...base, kickstart: { hostId: 'h', check: { status: 'failed', problems: many } } }));
    expect(facts).toMatchObject({ action: 'local', reason: 'kickstart-check-failed' });
    expect(facts['problems']).toHaveLength(20);
  });
});
