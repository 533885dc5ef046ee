/**
 * A pair's hosts as servers need them, from its install manifest: each subnode's short name, its
 * agent's host id, its SN address (the first SN network) and its MN address (the first MN network,
 * where live migrations go), and the networks a server may attach to (the manifest's IFNs and
 * BCNs). Pure.
 */
import { hostIdOfMachine, networkKey, pairNames, type ManifestView } from '../../striker/manifest/index.js';
import type { ServerHost } from './server-record.js';

export interface PairHost {
  key: 'node1' | 'node2' | 'dr';
  name: string;
  hostId: string;
  /** Undefined when the manifest gives the host no SN address (allocation refuses it). */
  snAddress: string | undefined;
  /** Undefined when the pair has no MN: migrations then reach the peer by its node name. */
  mnAddress: string | undefined;
}

export interface PairForServers {
  anvil: string;
  nodes: [PairHost, PairHost];
  /** Network keys a server may use: ifn1, bcn1… */
  networks: string[];
}

export function pairForServers(manifest: ManifestView): PairForServers {
  const names = pairNames(manifest.pair);
  const first = (kind: 'sn' | 'mn') => manifest.networks.filter((n) => n.kind === kind).sort((a, b) => a.index - b.index)[0];
  const sn = first('sn');
  const mn = first('mn');
  const host = (key: 'node1' | 'node2'): PairHost => ({
    key,
    name: names.hosts[key].short,
    hostId: hostIdOfMachine(manifest.hosts[key].machine),
    snAddress: sn === undefined ? undefined : manifest.hosts[key].addresses[networkKey(sn)],
    mnAddress: mn === undefined ? undefined : manifest.hosts[key].addresses[networkKey(mn)],
  });
  return {
    anvil: names.anvil,
    nodes: [host('node1'), host('node2')],
    networks: manifest.networks.filter((n) => n.kind === 'ifn' || n.kind === 'bcn').map(networkKey).sort(),
  };
}

export function serverHosts(pair: PairForServers): ServerHost[] {
  return pair.nodes.map((n) => ({ key: n.key, name: n.name, hostId: n.hostId, snAddress: n.snAddress ?? '', ...(n.mnAddress === undefined ? {} : { mnAddress: n.mnAddress }) }));
}
