/**
 * The four kinds of network an Anvil! pair uses, in the words a tech reads in the wizard, and the
 * key a network goes by in the manifest (`bcn1`, `sn1`, `ifn2`).
 */
import type { NetworkKind } from './manifest-types.js';

export { networkKey, networkKinds } from '../../../../striker/manifest/manifest-schema.js';

export const networkTitles: Record<NetworkKind, string> = {
  bcn: 'Back-channel network (BCN)',
  sn: 'Storage network (SN)',
  ifn: 'Internet-facing network (IFN)',
  mn: 'Migration network (MN)',
};

export const networkPurposes: Record<NetworkKind, string> = {
  bcn: 'The back-channel: the Strikers, the nodes and their IPMI BMCs talk here. Keep it private.',
  sn: 'Storage replication between the two subnodes (DRBD). Fast and private; the DR host joins it when it is on site.',
  ifn: 'Internet-facing: the servers’ own network, the one users reach. Only this network has a gateway.',
  mn: 'Migration: live migration of servers between the subnodes, kept off the storage network.',
};
