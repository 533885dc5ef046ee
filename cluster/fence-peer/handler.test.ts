import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CommandError } from '../../striker/core/command/command-error.js';
import type { CommandRunner } from '../../striker/core/command/run-command.js';
import { runFencePeer, targetFromEnv } from './handler.js';

const crmMon = (name: string) => readFileSync(new URL(`../fixtures/crm_mon/${name}.xml`, import.meta.url), 'utf8');

function drbdStatus(local: string, peerDisk: string, peerRole = 'Unknown') {
  return JSON.stringify([{
    name: 'srv01', role: 'Primary', devices: [{ volume: 0, minor: 0, 'disk-state': local }],
    connections: [{ 'peer-node-id': 1, name: 'an-a01n01', 'connection-state': 'Connecting', 'peer-role': peerRole, peer_devices: [{ volume: 0, 'peer-disk-state': peerDisk }] }],
  }]);
}

/** A runner answering drbdsetup and crm_mon from fixtures; records every argv; `failing` names programs that fail. */
function fakeRunner(drbd: string, mon: string | undefined, failing: string[] = []) {
  const ran: string[][] = [];
  const run: CommandRunner = async (argv) => {
    ran.push([...argv]);
    const program = argv[0] ?? '';
    if (failing.includes(program) || (program === 'crm_mon' && mon === undefined)) {
      throw new CommandError({ argv, exitCode: 1, stderr: `${program} failed`, stdout: '', failure: 'exit', reason: 'exited with code 1' });
    }
    const stdout = program === 'drbdsetup' ? drbd : program === 'crm_mon' ? (mon ?? '') : '';
    return { argv, exitCode: 0, stdout, stderr: '', durationMs: 1 };
  };
  return { run, ran, programs: () => ran.map((a) => a[0]) };
}

const target = { resource: 'srv01', peer: 'an-a01n01' };

describe('runFencePeer', () => {
  it.each<[string, string, string | undefined, string[], number, (string | undefined)[]]>([
    ['peer online → ban, exit 4', drbdStatus('UpToDate', 'DUnknown'), crmMon('both-online'), [], 4, ['drbdsetup', 'crm_mon', 'cibadmin', 'crm_attribute']],
    ['peer unclean → power fence, ban, exit 7', drbdStatus('UpToDate', 'DUnknown'), crmMon('node1-unclean'), [], 7, ['drbdsetup', 'crm_mon', 'stonith_admin', 'cibadmin', 'crm_attribute']],
    ['peer cleanly fenced → ban, exit 7', drbdStatus('UpToDate', 'DUnknown'), crmMon('node1-fenced'), [], 7, ['drbdsetup', 'crm_mon', 'cibadmin', 'crm_attribute']],
    ['crm_mon fails → power fence, exit 7', drbdStatus('UpToDate', 'DUnknown'), undefined, [], 7, ['drbdsetup', 'crm_mon', 'stonith_admin', 'cibadmin', 'crm_attribute']],
    ['power fence fails → exit 1, no ban', drbdStatus('UpToDate', 'DUnknown'), crmMon('node1-unclean'), ['stonith_admin'], 1, ['drbdsetup', 'crm_mon', 'stonith_admin']],
    ['peer already Outdated → nothing, exit 3', drbdStatus('UpToDate', 'Outdated'), crmMon('both-online'), [], 3, ['drbdsetup', 'crm_mon']],
    ['peer Primary → nothing, exit 6', drbdStatus('UpToDate', 'UpToDate', 'Primary'), crmMon('both-online'), [], 6, ['drbdsetup', 'crm_mon']],
    ['drbdsetup fails → exit 1', '', crmMon('both-online'), ['drbdsetup'], 1, ['drbdsetup']],
    ['ban fails → exit 1', drbdStatus('UpToDate', 'DUnknown'), crmMon('both-online'), ['crm_attribute'], 1, ['drbdsetup', 'crm_mon', 'cibadmin', 'crm_attribute']],
  ])('%s', async (_what, drbd, mon, failing, exitCode, programs) => {
    const fake = fakeRunner(drbd, mon, failing);
    const lines: string[] = [];
    expect(await runFencePeer('fence', target, { run: fake.run, log: (l) => lines.push(l), fenceTimeoutSeconds: 200 })).toBe(exitCode);
    expect(fake.programs()).toEqual(programs);
    expect(lines.join('\n')).toContain('srv01');
  });

  it('bans the peer by name and fences it through pacemaker with the timeout given', async () => {
    const fake = fakeRunner(drbdStatus('UpToDate', 'DUnknown'), crmMon('node1-unclean'));
    await runFencePeer('fence', target, { run: fake.run, log: () => {}, fenceTimeoutSeconds: 200 });
    expect(fake.ran).toContainEqual(['stonith_admin', '--fence', 'an-a01n01', '--timeout', '200']);
    expect(fake.ran).toContainEqual(['crm_attribute', '--node', 'an-a01n01', '--name', 'striker-drbd-fenced-srv01', '--update', '1', '--lifetime', 'forever']);
  });

  it('unfence deletes the ban attribute and exits 0', async () => {
    const fake = fakeRunner('', undefined);
    expect(await runFencePeer('unfence', target, { run: fake.run, log: () => {}, fenceTimeoutSeconds: 200 })).toBe(0);
    expect(fake.ran).toEqual([['crm_attribute', '--node', 'an-a01n01', '--name', 'striker-drbd-fenced-srv01', '--delete', '--lifetime', 'forever']]);
  });
});

describe('targetFromEnv', () => {
  it('takes DRBD_PEER, or the peer node id through DRBD_NODE_ID_<id>', () => {
    expect(targetFromEnv({ DRBD_RESOURCE: 'srv01', DRBD_PEER: 'an-a01n02' })).toEqual({ resource: 'srv01', peer: 'an-a01n02' });
    expect(targetFromEnv({ DRBD_RESOURCE: 'srv01', DRBD_PEER_NODE_ID: '1', DRBD_NODE_ID_1: 'an-a01n02' })).toEqual({ resource: 'srv01', peer: 'an-a01n02' });
  });
  it('names what is missing', () => {
    expect(() => targetFromEnv({})).toThrow(/DRBD_RESOURCE is not set/);
    expect(() => targetFromEnv({ DRBD_RESOURCE: 'srv01' })).toThrow(/DRBD_PEER/);
  });
});
