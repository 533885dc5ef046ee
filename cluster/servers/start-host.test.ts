import pino from 'pino';
import { describe, expect, it } from 'vitest';
import type { CommandRunner } from '../../striker/core/command/run-command.js';
import { serversStartRunner } from './start-host.js';

describe('servers.start on a node', () => {
  it('enables each server through pcs and waits for pacemaker', async () => {
    const ran: string[] = [];
    const run: CommandRunner = async (argv) => { ran.push(argv.join(' ')); return { argv, exitCode: 0, stdout: '', stderr: '', durationMs: 1 }; };
    const result = await serversStartRunner({ run, waitSeconds: 60 })({
      jobId: 'j', payload: { servers: ['srv01', 'srv02'] }, signal: new AbortController().signal, logger: pino({ level: 'silent' }),
      progress: async () => undefined, note: async () => undefined, api: async () => { throw new Error('unused'); },
    });
    expect(ran).toEqual(['pcs resource enable srv01 --wait=60', 'pcs resource enable srv02 --wait=60']);
    expect(result).toEqual({ message: 'Started srv01, srv02' });
  });
});
