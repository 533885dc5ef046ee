/**
 * Whether the DR host's copies are in sync, from its `drbdsetup status --json` (parsed by
 * ScanCore's parser): a resource is in sync when every local volume is UpToDate and it is
 * connected to at least one subnode. Pure; the wait's runner (sync-wait-runner.ts) polls with it.
 */
import type { DrbdResource } from '../scancore/parsers/drbd.js';

export interface SyncLag {
  resource: string;
  /** What keeps it from being in sync, in drbdsetup's words. */
  state: string;
}

export function syncLag(status: readonly DrbdResource[], wanted: readonly string[]): SyncLag[] {
  const lag: SyncLag[] = [];
  for (const name of wanted) {
    const r = status.find((s) => s.name === name);
    if (r === undefined) {
      lag.push({ resource: name, state: 'not up on the DR host' });
      continue;
    }
    const disks = r.devices.filter((d) => d.diskState !== 'UpToDate');
    const connected = r.connections.filter((c) => c.connectionState === 'Connected');
    if (r.devices.length === 0) lag.push({ resource: name, state: 'no volume attached' });
    else if (disks.length > 0) {
      const sync = r.connections.flatMap((c) => c.peerDevices).find((d) => d.percentInSync !== null);
      lag.push({ resource: name, state: `disk ${disks.map((d) => d.diskState).join(', ')}${sync ? ` (${sync.replicationState} ${sync.percentInSync}% in sync)` : ''}` });
    } else if (connected.length === 0) lag.push({ resource: name, state: `not connected to a subnode (${r.connections.map((c) => `${c.peerName} ${c.connectionState}`).join(', ') || 'no connections'})` });
  }
  return lag;
}
