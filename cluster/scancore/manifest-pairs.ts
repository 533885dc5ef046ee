/**
 * The pairs ScanCore watches: those of `scancore.pairs` in the configuration, and one per applied
 * manifest (a manifest that has been run at least once). From a manifest: the pair's id is its
 * Anvil! name, the nodes their short host names (as the cluster knows them) and host ids (the
 * machine's dashed MAC, the agent's id), each node's BMC (address, user, `ipport` and `cipher`
 * parameters, the password from the manifest's sealed secrets) and each NUT UPS with the nodes it
 * powers — read by this Striker with `upsc <upsName>@<address>[:<port>]`. An SNMP UPS is left out: the UPS
 * agent reads NUT. A configured pair with the same id wins over the manifest's.
 */
import { hostIdOfMachine, listManifests, manifestRuns, openManifestSecrets, pairNames, type ManifestView } from '../../striker/manifest/index.js';
import type { SiteKeys } from '../../striker/core/secrets/index.js';
import type { Database } from '../../striker/db/database.js';
import type { Logger } from 'pino';
import { scancorePairSchema, type ScancorePair } from './scancore-config.js';

/** The secret slots the pair needs: `hosts.node1.ipmi`, `hosts.node2.ipmi`. */
export type SecretOf = (slot: string) => string | undefined;

/** A manifest's pair as ScanCore watches it (pure; validated like a configured pair). */
export function pairFromManifest(manifest: ManifestView, secretOf: SecretOf): ScancorePair {
  const names = pairNames(manifest.pair);
  const keys = ['node1', 'node2'] as const;
  const nodes = keys.map((key) => {
    const host = manifest.hosts[key];
    const password = secretOf(`hosts.${key}.ipmi`);
    const p = host.ipmi?.parameters ?? {};
    const ipmi = host.ipmi === undefined || password === undefined ? undefined : {
      address: host.ipmi.address,
      username: host.ipmi.username,
      password,
      ...(p['ipport'] === undefined ? {} : { port: Number(p['ipport']) }),
      ...(p['cipher'] === undefined ? {} : { cipher: Number(p['cipher']) }),
    };
    return { name: names.hosts[key].short, hostId: hostIdOfMachine(host.machine), ...(ipmi === undefined ? {} : { ipmi }) };
  });
  const upses = manifest.upses
    .filter((u) => u.source === 'nut' && u.powers.some((h) => h === 'node1' || h === 'node2'))
    .map((u) => ({
      name: u.name,
      upsName: u.upsName ?? u.name,
      address: u.address,
      ...(u.port === undefined ? {} : { port: u.port }),
      feeds: u.powers.filter((h): h is 'node1' | 'node2' => h === 'node1' || h === 'node2').map((h) => names.hosts[h].short),
    }));
  return scancorePairSchema.parse({ id: names.anvil, nodes, upses });
}

/** Configured pairs first; a manifest's pair only when no configured pair has its id. */
export function mergePairs(configured: readonly ScancorePair[], fromManifests: readonly ScancorePair[]): ScancorePair[] {
  const ids = new Set(configured.map((p) => p.id));
  return [...configured, ...fromManifests.filter((p) => !ids.has(p.id))];
}

export interface WatchedPairsDeps {
  db: Database;
  keys: SiteKeys;
  logger: Logger;
  configured: readonly ScancorePair[];
  /** `scancore.pairsFromManifests`. */
  fromManifests: boolean;
}

/**
 * Every pair to watch now. A manifest whose pair cannot be built (its secrets cannot be opened)
 * is logged and left out; the others are still watched.
 */
export function watchedPairs(deps: WatchedPairsDeps): () => Promise<ScancorePair[]> {
  return async () => {
    if (!deps.fromManifests) return [...deps.configured];
    const pairs: ScancorePair[] = [];
    for (const m of await listManifests(deps.db)) {
      if ((await manifestRuns({ db: deps.db }, m.id)).length === 0) continue;
      try {
        const secrets = await openManifestSecrets({ db: deps.db, keys: deps.keys }, m.id);
        pairs.push(pairFromManifest(m.document, (slot) => secrets.get(slot)));
      } catch (error) {
        deps.logger.error({ err: error, manifest: m.name }, 'ScanCore cannot watch the pair of this manifest');
      }
    }
    return mergePairs(deps.configured, pairs);
  };
}
