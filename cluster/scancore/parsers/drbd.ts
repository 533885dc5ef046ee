/**
 * Parser for `drbdsetup status --json` (drbd-utils 9): a list of resources, each with its local
 * devices and its connections to peers. The key style is mixed as drbd-utils prints it
 * (`peer_devices` with an underscore, `connection-state` with dashes). Fixtures are the published
 * samples from ClusterLabs/ha_cluster_exporter's `test/fake_drbdsetup.sh` (a SLE 15 cluster).
 */
import { DecodeError } from '../../../striker/core/errors/index.js';
import { arrayAt, numberAt, objectAt, optionalNumberAt, parseJsonOutput, stringAt } from './decode-json.js';

export interface DrbdPeerDevice {
  volume: number;
  /** `Established`, `SyncSource`, `SyncTarget`, `PausedSyncS`, `Off`, … */
  replicationState: string;
  peerDiskState: string;
  percentInSync: number | null;
}

export interface DrbdConnection {
  peerNodeId: number;
  peerName: string;
  /** `Connected`, `Connecting`, `StandAlone`, … */
  connectionState: string;
  peerRole: string;
  peerDevices: DrbdPeerDevice[];
}

export interface DrbdResource {
  name: string;
  role: string;
  devices: { volume: number; minor: number; diskState: string }[];
  connections: DrbdConnection[];
}

const what = 'drbdsetup status --json output';

export function parseDrbdStatus(text: string): DrbdResource[] {
  const doc = arrayAt(parseJsonOutput(text, what), what, '(root)');
  return doc.map((r, i) => {
    const p = `[${i}]`;
    const res = objectAt(r, what, p);
    return {
      name: stringAt(res, 'name', what, p),
      role: stringAt(res, 'role', what, p),
      devices: arrayAt(res.devices, what, `${p}.devices`).map((d, j) => {
        const dp = `${p}.devices[${j}]`;
        const dev = objectAt(d, what, dp);
        return { volume: numberAt(dev, 'volume', what, dp), minor: numberAt(dev, 'minor', what, dp), diskState: stringAt(dev, 'disk-state', what, dp) };
      }),
      connections: arrayAt(res.connections, what, `${p}.connections`).map((c, j) => {
        const cp = `${p}.connections[${j}]`;
        const con = objectAt(c, what, cp);
        return {
          peerNodeId: numberAt(con, 'peer-node-id', what, cp),
          peerName: stringAt(con, 'name', what, cp),
          connectionState: stringAt(con, 'connection-state', what, cp),
          peerRole: stringAt(con, 'peer-role', what, cp),
          peerDevices: arrayAt(con.peer_devices, what, `${cp}.peer_devices`).map((pd, k) => {
            const pp = `${cp}.peer_devices[${k}]`;
            const dev = objectAt(pd, what, pp);
            const pct = optionalNumberAt(dev, 'percent-in-sync', what, pp);
            if (pct !== null && (pct < 0 || pct > 100)) throw new DecodeError(`${pp}.percent-in-sync must be 0–100 — got ${pct}`, what, 0);
            return {
              volume: numberAt(dev, 'volume', what, pp),
              replicationState: stringAt(dev, 'replication-state', what, pp),
              peerDiskState: stringAt(dev, 'peer-disk-state', what, pp),
              percentInSync: pct,
            };
          }),
        };
      }),
    };
  });
}

/** True when this node is the sync source of any volume (its data is the one the peer copies). */
export function isSyncSource(resources: readonly DrbdResource[]): boolean {
  return resources.some((r) => r.connections.some((c) => c.peerDevices.some((d) => d.replicationState === 'SyncSource' || d.replicationState === 'PausedSyncS')));
}
