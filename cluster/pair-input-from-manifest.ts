/**
 * The manifest, seen as the cluster plans need it: its two subnodes' names (names.ts), their
 * addresses on the first network of each kind, their BMC and PDU outlets as fence methods, and a
 * `fence_delay` level last. Secrets stay where the manifest keeps them: a method's `passwordRef`
 * is the manifest's secret slot (`hosts.<node>.ipmi`, `fenceDevices.<name>`), which the caller
 * opens when it plans the CIB. Pure.
 */
import { networkKey, pairNames, type ManifestView } from '../striker/manifest/index.js';
import { networkKinds, parsePairPlanInput, type PairPlanInput } from './pair-input.js';

export interface FromManifestOptions {
  /** The subnode the servers run on (default node1). */
  preferred?: 'node1' | 'node2';
  /** Seconds the last fencing level waits (default 60). */
  delaySeconds?: number;
}

const asParam = (v: string | number | boolean): string => (typeof v === 'boolean' ? (v ? '1' : '0') : String(v));

/** Throws ValidationError (paths in PairPlanInput terms) when the manifest cannot make a pair. */
export function pairInputFromManifest(manifest: ManifestView, options: FromManifestOptions = {}): PairPlanInput {
  const names = pairNames(manifest.pair);
  const devices = new Map(manifest.fenceDevices.map((d) => [d.name, d]));
  const firstOfKind = new Map(networkKinds.map((kind) => [kind, manifest.networks.filter((n) => n.kind === kind).sort((a, b) => a.index - b.index)[0]]));
  const node = (key: 'node1' | 'node2') => {
    const host = manifest.hosts[key];
    const addresses = Object.fromEntries(networkKinds.flatMap((kind) => {
      const net = firstOfKind.get(kind);
      const address = net === undefined ? undefined : host.addresses[networkKey(net)];
      return address === undefined ? [] : [[kind, address]];
    }));
    const ipmi = host.ipmi === undefined ? undefined : {
      address: host.ipmi.address,
      username: host.ipmi.username,
      passwordRef: `hosts.${key}.ipmi`,
      ...(host.ipmi.parameters?.['ipport'] === undefined ? {} : { port: Number(host.ipmi.parameters['ipport']) }),
      ...(host.ipmi.parameters?.['cipher'] === undefined ? {} : { cipher: Number(host.ipmi.parameters['cipher']) }),
    };
    const outlets = Object.entries(host.pduOutlets ?? {}).map(([device, plug]) => {
      const d = devices.get(device);
      return {
        device,
        agent: d?.agent ?? 'unknown',
        params: Object.fromEntries(Object.entries(d?.parameters ?? {}).map(([k, v]) => [k, asParam(v)])),
        ...(d?.password?.set ? { passwordRef: `fenceDevices.${device}` } : {}),
        plug,
      };
    });
    return {
      name: names.hosts[key].short,
      addresses,
      fence: { ...(ipmi === undefined ? {} : { ipmi }), pdus: outlets.length === 0 ? [] : [{ outlets }], delaySeconds: options.delaySeconds ?? 60 },
    };
  };
  return parsePairPlanInput({
    clusterName: names.anvil,
    nodes: [node('node1'), node('node2')],
    preferredNode: names.hosts[options.preferred ?? 'node1'].short,
  });
}
