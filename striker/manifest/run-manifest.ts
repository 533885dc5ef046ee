/**
 * Running a manifest, as data: the job graph a manifest becomes, and which jobs of an earlier run
 * it keeps. Pure: the action (run-actions.ts) reads the manifest, the hosts' credentials and the
 * earlier run, calls `planRun` and `reconcileRun`, and inserts what they say.
 *
 * The graph, per run:
 *   - `manifest.check` (Striker's runner): the BMCs, PDUs and UPSes answer, the agents are alive;
 *   - per host, `host.configure-network` (its agent): its networks as NetworkManager keyfiles;
 *   - per subnode, `cluster.join` (its agent, with the runner cluster/join/ gives it), waiting for
 *     the check and both subnodes' networks; for the DR host, `dr.link`, waiting for the check and
 *     all three hosts' networks (cluster/dr/ gives the agent its runner).
 *
 * Each planned job has a fingerprint: its kind, target, payload and the host's live agent
 * credential. A re-run keeps a job of the earlier run whose fingerprint is the same unless it
 * failed or was cancelled; anything else is created anew. A job that compares the live state with
 * the wanted one and changes only what differs (`cluster.join`: the cluster may have drifted since)
 * is also created anew once the earlier one succeeded. So a re-run with nothing changed creates
 * only those, which then report that nothing changed; a re-run after a failure retries what failed
 * (and what ended because of it),
 * and a re-run after a node was rebuilt (it registered again: a new credential) re-creates only
 * that node's jobs. No payload holds a secret: the check reads the manifest's secrets when it runs.
 */
import { createHash } from 'node:crypto';
import { parseCidr } from '../core/net/ipv4.js';
import type { HostJobPayload } from '../agent/index.js';
import { hostKeys, networkKey, type HostKey, type ManifestView } from './manifest-schema.js';
import { pairNames } from './names.js';

export const CHECK_KIND = 'manifest.check';
export const NETWORK_KIND = 'host.configure-network';
/** Kinds that check the live state and change only what differs: a new run runs them again. */
export const RERUN_KINDS: ReadonlySet<string> = new Set(['cluster.join']);

/** A stored manifest as a run reads it: the secret-free document. */
export interface RunnableManifest {
  id: string;
  name: string;
  document: ManifestView;
}

/** Where a planned job runs: a host of the manifest, or Striker itself. */
export type RunTarget = HostKey | 'striker';

export interface PlannedJob {
  /** `<target>:<kind>`, unique in a run. */
  key: string;
  target: RunTarget;
  /** The host's agent id (its machine's MAC with dashes); null for Striker's own job. */
  hostId: string | null;
  kind: string;
  payload: unknown;
  /** Keys of the planned jobs it waits for. */
  waitsFor: string[];
  fingerprint: string;
  /** It reconciles live state (changing only what differs): every run runs it again once it succeeded. */
  rerun: boolean;
}

export interface RunInput {
  manifestId: string;
  /** The manifest's revision (see `manifestRevision`). */
  revision: string;
  manifest: ManifestView;
  /** Each host's live agent credential id: a new one means the host was rebuilt. */
  credentials: Readonly<Partial<Record<HostKey, string>>>;
}

/** The revision of a stored manifest: a digest of its secret-free document. */
export function manifestRevision(document: ManifestView): string {
  return createHash('sha256').update(canonicalJson(document)).digest('hex').slice(0, 20);
}

/** A host's agent id: the lower-case dashed MAC of the machine it is bound to (kickstart's host id). */
export function hostIdOfMachine(mac: string): string {
  return mac.toLowerCase().replaceAll(':', '-');
}

export function presentHosts(manifest: ManifestView): HostKey[] {
  return hostKeys.filter((k) => manifest.hosts[k] !== undefined);
}

export function planRun(input: RunInput): PlannedJob[] {
  const m = input.manifest;
  const names = pairNames(m.pair);
  const hosts = presentHosts(m);
  const jobs: PlannedJob[] = [];
  const add = (target: RunTarget, kind: string, payload: unknown, waitsFor: string[]) => {
    const hostId = target === 'striker' ? null : hostIdOfMachine(m.hosts[target]!.machine);
    const credential = target === 'striker' ? '' : (input.credentials[target] ?? '');
    const fingerprint = createHash('sha256').update(canonicalJson({ kind, hostId, payload, credential })).digest('hex').slice(0, 32);
    jobs.push({ key: `${target}:${kind}`, target, hostId, kind, payload, waitsFor, fingerprint, rerun: RERUN_KINDS.has(kind) });
  };
  add('striker', CHECK_KIND, { manifestId: input.manifestId, revision: input.revision }, []);
  for (const host of hosts) add(host, NETWORK_KIND, networkPayload(m, host, names.hosts[host].short), []);
  const addresses = (host: HostKey) => m.hosts[host]!.addresses;
  const peer = (host: HostKey) => ({ hostName: names.hosts[host].short, addresses: addresses(host) });
  const nodeNets = [`node1:${NETWORK_KIND}`, `node2:${NETWORK_KIND}`];
  for (const [self, other] of [['node1', 'node2'], ['node2', 'node1']] as const) {
    const payload: HostJobPayload<'cluster.join'> = {
      anvilName: names.anvil,
      hostName: names.hosts[self].short,
      subnode: self,
      addresses: addresses(self),
      peer: peer(other),
      ...(m.hosts.dr === undefined ? {} : { dr: peer('dr') }),
    };
    add(self, 'cluster.join', payload, [`striker:${CHECK_KIND}`, ...nodeNets]);
  }
  if (m.hosts.dr !== undefined) {
    const payload: HostJobPayload<'dr.link'> = {
      anvilName: names.anvil,
      hostName: names.hosts.dr.short,
      addresses: addresses('dr'),
      nodes: [peer('node1'), peer('node2')],
    };
    add('dr', 'dr.link', payload, [`striker:${CHECK_KIND}`, ...nodeNets, `dr:${NETWORK_KIND}`]);
  }
  return jobs;
}

function networkPayload(m: ManifestView, host: HostKey, shortName: string): HostJobPayload<'host.configure-network'> {
  const h = m.hosts[host]!;
  const networks = m.networks
    .filter((n) => h.addresses[networkKey(n)] !== undefined && h.links[networkKey(n)] !== undefined)
    .map((n) => {
      const key = networkKey(n);
      return {
        key,
        address: h.addresses[key]!,
        prefixLength: parseCidr(n.subnet)!.length,
        ...(n.kind === 'ifn' && n.gateway !== undefined ? { gateway: n.gateway } : {}),
        mtu: n.mtu,
        macs: h.links[key]!.macs,
      };
    });
  return { hostName: shortName, domain: m.pair.domain, dns: m.dns, networks };
}

/** What became of a job of the earlier run, as the action read it. */
export interface EarlierJob {
  jobId: string;
  fingerprint: string;
  status: 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled' | 'interrupted' | 'gone';
}

export type RunStep = { job: PlannedJob; action: 'keep'; jobId: string } | { job: PlannedJob; action: 'create' };

/**
 * For each planned job (in plan order, dependencies first): keep the earlier run's job when its
 * fingerprint is the same, it has not failed, been cancelled or been purged (nor, for a `rerun`
 * job, succeeded), and each job it waits for is kept too or had already succeeded (so a kept job
 * never waits for one that is replaced); otherwise create it.
 */
export function reconcileRun(plan: readonly PlannedJob[], earlier: ReadonlyMap<string, EarlierJob>): RunStep[] {
  const kept = new Set<string>();
  return plan.map((job) => {
    const before = earlier.get(job.key);
    const depsHold = job.waitsFor.every((k) => kept.has(k) || earlier.get(k)?.status === 'succeeded');
    const ended = ['failed', 'cancelled', 'gone', ...(job.rerun ? ['succeeded'] : [])];
    const usable = before !== undefined && before.fingerprint === job.fingerprint && !ended.includes(before.status) && depsHold;
    if (!usable) return { job, action: 'create' };
    kept.add(job.key);
    return { job, action: 'keep', jobId: before.jobId };
  });
}

/** Jobs of the earlier run that a new run replaces and that have not started: they are cancelled as superseded. */
export function supersededJobs(steps: readonly RunStep[], earlier: ReadonlyMap<string, EarlierJob>): string[] {
  return steps.flatMap((s) => {
    const before = earlier.get(s.job.key);
    return s.action === 'create' && before !== undefined && (before.status === 'queued' || before.status === 'interrupted') ? [before.jobId] : [];
  });
}

/** How a run stands, from its jobs: what the run list shows. */
export type RunState = 'running' | 'waiting' | 'failed' | 'succeeded';

export function runState(jobs: readonly { status: string; heldReason: string | null }[]): RunState {
  if (jobs.some((j) => j.status === 'failed' || j.status === 'cancelled')) return 'failed';
  if (jobs.every((j) => j.status === 'succeeded')) return 'succeeded';
  // Only held jobs (and ones that can run only after them) are left: the run waits for a release.
  const open = jobs.filter((j) => j.status !== 'succeeded');
  if (open.every((j) => j.heldReason !== null)) return 'waiting';
  return 'running';
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
