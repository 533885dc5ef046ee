/**
 * A pure reader of `corosync-cfgtool -s` (corosync 3, knet transport): for each knet link of the
 * local node, its address and the status of the link to every node (`connected`, `disconnected`,
 * `localhost` for the node itself, or whatever else corosync prints). Text it cannot read for
 * certain — no "Local node ID" line, a status line outside a link, a link without an address — is
 * a DecodeError naming the line: a wrong link state is worse than none.
 */
import { DecodeError } from '../../striker/core/errors/index.js';

export interface KnetLinkPeer {
  nodeId: number;
  /** As corosync prints it: `connected`, `disconnected`, `localhost`… */
  status: string;
}

export interface KnetLink {
  linkId: number;
  /** The local address of the link. */
  address: string;
  peers: KnetLinkPeer[];
}

export interface KnetStatus {
  localNodeId: number;
  transport: string;
  links: KnetLink[];
}

const what = 'corosync-cfgtool -s output';

export function parseCfgtoolStatus(text: string): KnetStatus {
  const lines = text.split('\n');
  let localNodeId: number | undefined;
  let transport = '';
  const links: KnetLink[] = [];
  let current: (Omit<KnetLink, 'address'> & { address?: string }) | undefined;
  const close = (line: number) => {
    if (current === undefined) return;
    if (current.address === undefined) throw new DecodeError(`LINK ID ${current.linkId} has no addr line`, what, line);
    links.push({ linkId: current.linkId, address: current.address, peers: current.peers });
    current = undefined;
  };
  lines.forEach((raw, i) => {
    const line = raw.trim();
    const n = i + 1;
    if (line === '' || line === 'status:') return;
    let m = /^Local node ID (\d+), transport (\S+)$/.exec(line);
    if (m !== null) {
      localNodeId = Number(m[1]);
      transport = m[2]!;
      return;
    }
    m = /^LINK ID (\d+)(?:\s+\S+)?$/.exec(line);
    if (m !== null) {
      close(n);
      current = { linkId: Number(m[1]), peers: [] };
      return;
    }
    m = /^addr\s*=\s*(\S+)$/.exec(line);
    if (m !== null) {
      if (current === undefined) throw new DecodeError(`addr line outside a LINK ID block: '${line}'`, what, n);
      current.address = m[1]!;
      return;
    }
    m = /^nodeid:?\s+(\d+):\s+(\S.*)$/.exec(line);
    if (m !== null) {
      if (current === undefined) throw new DecodeError(`node status outside a LINK ID block: '${line}'`, what, n);
      current.peers.push({ nodeId: Number(m[1]), status: m[2]!.trim() });
      return;
    }
    // corosync prints other lines (e.g. "Printing link status.") that carry no link state.
  });
  close(lines.length);
  if (localNodeId === undefined) throw new DecodeError("has no 'Local node ID <n>, transport <t>' line (is corosync running?)", what, 0);
  return { localNodeId, transport, links };
}

/** The status of the link `linkId` from the local node to `nodeId` (`absent` when corosync does not list it). */
export function linkStatus(status: KnetStatus, linkId: number, nodeId: number): string {
  return status.links.find((l) => l.linkId === linkId)?.peers.find((p) => p.nodeId === nodeId)?.status ?? 'absent';
}
