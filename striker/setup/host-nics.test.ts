import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { listHostNics } from './host-nics.js';

const root = mkdtempSync(join(tmpdir(), 'striker-nics-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function nic(name: string, files: Record<string, string>, physical = true): void {
  mkdirSync(join(root, name, ...(physical ? ['device'] : [])), { recursive: true });
  for (const [file, text] of Object.entries(files)) writeFileSync(join(root, name, file), `${text}\n`);
}

describe('listHostNics', () => {
  it('lists physical Ethernet NICs with MAC, state and speed, leaving out virtual ones', async () => {
    nic('eno1', { address: '52:54:00:AA:00:01', type: '1', operstate: 'up', speed: '10000' });
    nic('eno2', { address: '52:54:00:aa:00:02', type: '1', operstate: 'down', speed: '-1' });
    nic('ib0', { address: '80:00:02:08:fe:80:00:00:00:00:00:00:00:02:c9:03:00:0e:3a:21', type: '32', operstate: 'up', speed: '40000' });
    nic('lo', { address: '00:00:00:00:00:00', type: '772', operstate: 'unknown' }, false);
    nic('bcn1_bridge1', { address: '52:54:00:aa:00:01', type: '1', operstate: 'up' }, false);
    expect(await listHostNics(root)).toEqual([
      { name: 'eno1', mac: '52:54:00:aa:00:01', state: 'up', speedMbps: 10000 },
      { name: 'eno2', mac: '52:54:00:aa:00:02', state: 'down', speedMbps: null },
    ]);
  });

  it('answers an empty list when sysfs is not there', async () => {
    expect(await listHostNics(join(root, 'missing'))).toEqual([]);
  });
});
