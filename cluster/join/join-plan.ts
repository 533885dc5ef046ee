/**
 * A subnode's join plan from the manifest run that made its `cluster.join` job: the pair as the
 * cluster plans see it (`pairInputFromManifest`), corosync.conf for both nodes, the pair's authkey,
 * and for node1 the fencing CIB with the manifest's passwords resolved. Pure: the caller opens
 * the secrets and the authkey.
 */
import { ConflictError } from '../../striker/core/errors/index.js';
import type { ManifestView } from '../../striker/manifest/index.js';
import { planCib } from '../cib-plan.js';
import { planCorosync, renderCorosyncConf } from '../corosync-plan.js';
import { pairInputFromManifest } from '../pair-input-from-manifest.js';
import type { JoinPlan } from './join-plan-schema.js';

export interface JoinPlanInput {
  manifest: ManifestView;
  subnode: 'node1' | 'node2';
  /** The manifest's secrets by slot (`hosts.node1.ipmi`, `fenceDevices.<name>`); node1 needs them. */
  secrets: ReadonlyMap<string, string>;
  authkey: Buffer;
}

export function planJoin(input: JoinPlanInput): JoinPlan {
  const pair = pairInputFromManifest(input.manifest);
  const [node1, node2] = pair.nodes;
  const plan: JoinPlan = {
    anvilName: pair.clusterName,
    role: input.subnode,
    nodeName: input.subnode === 'node1' ? node1.name : node2.name,
    pairNodes: [node1.name, node2.name],
    corosyncConf: renderCorosyncConf(planCorosync(pair)),
    authkey: input.authkey.toString('base64'),
  };
  if (input.subnode === 'node1') {
    plan.cib = planCib(pair, (ref) => {
      const secret = input.secrets.get(ref);
      if (secret === undefined) throw new ConflictError(`the manifest of ${pair.clusterName} has no stored password for ${ref}; set it in the manifest and run it again`, { slot: ref });
      return secret;
    });
  }
  return plan;
}
