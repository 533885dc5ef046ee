/**
 * A pair's DR host as the DR link needs it, from the pair's install manifest: its short name, its
 * agent's host id, its SN address (the first SN network, where DRBD replicates), its addresses,
 * and its BMC. Pure, except `drBmcFromManifests`, which reads the stored manifest when asked.
 */
import type { SiteKeys } from '../../striker/core/secrets/index.js';
import type { Database } from '../../striker/db/database.js';
import { hostIdOfMachine, listManifests, networkKey, openManifestSecrets, pairNames, type ManifestView } from '../../striker/manifest/index.js';
import type { IpmiMethod } from '../pair-input.js';

export interface DrHost {
  name: string;
  hostId: string;
  /** Undefined when the manifest gives the DR host no SN address (linking refuses it). */
  snAddress: string | undefined;
  /** Its address on each network, by key (bcn1, sn1…). */
  addresses: Record<string, string>;
}

/** The manifest's DR host, or undefined when the manifest has none. */
export function drHostOf(manifest: ManifestView): DrHost | undefined {
  const dr = manifest.hosts.dr;
  if (dr === undefined) return undefined;
  const sn = manifest.networks.filter((n) => n.kind === 'sn').sort((a, b) => a.index - b.index)[0];
  return {
    name: pairNames(manifest.pair).hosts.dr.short,
    hostId: hostIdOfMachine(dr.machine),
    snAddress: sn === undefined ? undefined : dr.addresses[networkKey(sn)],
    addresses: { ...dr.addresses },
  };
}

/** The DR host's BMC and its password (secret slot `hosts.dr.ipmi`), or undefined without one. */
export function drBmcOf(manifest: ManifestView, secretOf: (slot: string) => string | undefined): { ipmi: IpmiMethod; password: string } | undefined {
  const ipmi = manifest.hosts.dr?.ipmi;
  const password = secretOf('hosts.dr.ipmi');
  if (ipmi === undefined || password === undefined) return undefined;
  const p = ipmi.parameters ?? {};
  return {
    ipmi: {
      address: ipmi.address,
      username: ipmi.username,
      passwordRef: 'hosts.dr.ipmi',
      ...(p['ipport'] === undefined ? {} : { port: Number(p['ipport']) }),
      ...(p['cipher'] === undefined ? {} : { cipher: Number(p['cipher']) }),
    },
    password,
  };
}

/** The DR host's BMC of a pair, read from its stored manifest and sealed secrets when asked. */
export function drBmcFromManifests(deps: { db: Database; keys: SiteKeys }): (anvil: string) => Promise<{ ipmi: IpmiMethod; password: string } | undefined> {
  return async (anvil) => {
    const m = (await listManifests(deps.db)).find((x) => x.name === anvil || pairNames(x.document.pair).anvil === anvil);
    if (m === undefined) return undefined;
    const secrets = await openManifestSecrets({ db: deps.db, keys: deps.keys }, m.id);
    return drBmcOf(m.document, (slot) => secrets.get(slot));
  };
}
