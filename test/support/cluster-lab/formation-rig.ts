/**
 * Everything cluster formation needs around an unformed cluster lab, for the end-to-end test and
 * the benchmark: `striker serve` (built) on the lab's uplink address over a test database, an
 * admin logged in over HTTP, each node's machine (its BCN NIC) registered with a one-time token as
 * a kickstart's %post does (curl from the node), the built agent as each node's service (its
 * `cluster.startCommand` the lab's cluster-start.sh), both nodes powered on through their BMCs,
 * and a stored manifest whose BMCs are the lab's ipmi_sim. `runManifest` runs it through the API.
 */
import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { issueToken } from '../../../kickstart/index.js';
import { PgTokenStore } from '../../../kickstart/token-store.js';
import type { ManifestInput, ManifestRunView, RunManifestResponse } from '../../../striker/manifest/index.js';
import { freePort, requireBuilt, runStriker, spawnServe, type SpawnedServe } from '../striker-process.js';
import { createTestDatabase, type TestDatabase } from '../test-database.js';
import { BMC_USER, ClusterLab, waitFor, type LabBmcSetup, type LabNode } from './cluster-lab.js';

const AGENT_MAIN = fileURLToPath(new URL('../../../dist/striker/app/agent-main.js', import.meta.url));
const PASSWORD = 'a long enough admin password';

export interface FormationRig {
  lab: ClusterLab;
  t: TestDatabase;
  serve: SpawnedServe;
  manifestId: string;
  /** The pair's node names (node1's first) and its Anvil! name. */
  names: { anvil: string; nodes: [string, string] };
  /** Each node's agent host id. */
  hostIds: [string, string];
  /** Node `index`'s agent as its service (for a later `setServices` that adds services of its own, e.g. libvirtd). */
  agentService(index: number): { argv: readonly string[] };
  api<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<{ status: number; json: T }>;
  /** POST /api/manifests/:id/run. */
  runManifest(): Promise<{ status: number; json: RunManifestResponse }>;
  /** Follows a run until its cluster.join jobs succeeded; throws at once, with the jobs' errors, when one failed. */
  joinsEnded(runId: string, timeoutMs: number): Promise<ManifestRunView>;
  /** The lab's, the agents' and Striker's last output lines: for a failure message. */
  diagnostics(): Promise<string>;
  stop(): Promise<void>;
}

/**
 * `prefix` of at most 5 letters: it is the lab's and the manifest's (names `<prefix>-a01n01`…).
 * `database` makes the migrated database Striker uses (a vitest file's test database by default; a
 * script outside vitest passes its own). `bmc` is the lab's BMC setup (e.g. the rack simulator's
 * sensors), `strikerConfig` extra lines of striker.yaml (e.g. a `scancore:` block), `agentConfig`
 * extra keys of each node agent's agent.json (e.g. `scancore`), or a function of the node and its
 * agent's directory giving them (e.g. a `powerOffCommand` through the node's own BMC), `upses` the
 * manifest's UPSes (none by default). `sn` adds a storage network (sn1, 198.18.3.0/24) for
 * servers' DRBD resources: the lab has no SN link, so its link names a MAC no NIC has (the agents
 * do not manage the hosts' networks: the plan is only recorded).
 */
export async function startFormationRig(options: {
  prefix: string;
  uplink: number;
  database?: () => Promise<TestDatabase>;
  bmc?: LabBmcSetup;
  strikerConfig?: string[];
  agentConfig?: Record<string, unknown> | ((node: LabNode, agentDir: string, lab: ClusterLab) => Record<string, unknown>);
  upses?: ManifestInput['upses'];
  sn?: boolean;
}): Promise<FormationRig> {
  requireBuilt();
  statSync(AGENT_MAIN);
  const anvil = `${options.prefix}-anvil-01`;
  const nodes: [string, string] = [`${options.prefix}-a01n01`, `${options.prefix}-a01n02`];
  const t = await (options.database ?? createTestDatabase)();
  let lab: ClusterLab | undefined;
  let serve: SpawnedServe | undefined;
  const stop = async () => {
    if (serve !== undefined && serve.child.exitCode === null) {
      serve.child.kill('SIGTERM');
      await serve.exited;
    }
    await lab?.down();
    await t.drop();
  };
  try {
    lab = await ClusterLab.up({ prefix: options.prefix, uplink: options.uplink, formed: false, nodeNames: nodes, ...(options.bmc === undefined ? {} : { bmc: options.bmc }) });
    const l = lab;
    const dir = join(l.dir, 'striker');
    mkdirSync(dir, { recursive: true });
    const port = await freePort();
    writeFileSync(join(dir, 'striker.yaml'), [
      `dataDir: ${join(dir, 'var')}`,
      `http: { host: ${l.uplinkAddress}, port: ${port} }`,
      `database: { urls: ['${t.url}'] }`,
      'jobs: { heartbeatSeconds: 2, staleAfterSeconds: 60, pollSeconds: 0.5, shutdownGraceSeconds: 2 }',
      'log: { level: warn }',
      ...(options.strikerConfig ?? []),
      '',
    ].join('\n'));
    const env = { STRIKER_CONFIG: join(dir, 'striker.yaml') };
    const s = spawnServe(env);
    serve = s;
    const url = await Promise.race([s.ready, s.exited.then(({ code }) => { throw new Error(`striker serve exited ${code}: ${s.stderr()}`); })]);
    const add = await runStriker(['user', 'add', 'admin', '--role', 'admin'], env, `${PASSWORD}\n`);
    if (add.code !== 0) throw new Error(`striker user add failed (${add.code}): ${add.stderr}`);
    const login = await fetch(`${url}/api/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: PASSWORD }) });
    const { csrfToken } = (await login.json()) as { csrfToken: string };
    const headers = { cookie: login.headers.getSetCookie()[0]!.split(';')[0]!, 'x-csrf-token': csrfToken, 'content-type': 'application/json' };
    const api = async <T>(method: 'GET' | 'POST', path: string, body?: unknown) => {
      const res = await fetch(`${url}${path}`, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
      return { status: res.status, json: (await res.json()) as T };
    };
    const diagnostics = async () => {
      const agents = await Promise.all(l.nodes.map(async (n) => `--- ${n.name} services.out\n${(await readFile(join(n.dir, 'services.out'), 'utf8').catch(() => '(none)')).split('\n').slice(-25).join('\n')}`));
      return `${await l.diagnostics()}\n${agents.join('\n')}\n--- striker\n${s.stderr().slice(-3000)}`;
    };

    const agentService = (index: number) => {
      const agentDir = join(l.dir, `agent-${index}`);
      return { argv: [process.execPath, AGENT_MAIN, '--config', join(agentDir, 'agent.json'), '--credentials', join(agentDir, 'agent-credentials.json')] };
    };
    // Each node: its machine (the BCN NIC's MAC), registered as %post does, the agent as its service.
    const nodeUrl = await l.forwardFromHub(port);
    const store = new PgTokenStore(t.db);
    const macs: { bcn: string; mn: string }[] = [];
    for (const node of l.nodes) {
      const mac = { bcn: await l.linkMac(node.index, 'bcn'), mn: await l.linkMac(node.index, 'mn') };
      macs.push(mac);
      const hostId = mac.bcn.replaceAll(':', '-');
      await t.db.write(`INSERT INTO machines (mac, role, state) VALUES ($1, 'node', 'installing')`, [mac.bcn]);
      const agentDir = join(l.dir, `agent-${node.index}`);
      mkdirSync(agentDir, { recursive: true });
      const credentials = join(agentDir, 'agent-credentials.json');
      const { token } = await issueToken(store, hostId, new Date(), 3600);
      const body = JSON.stringify({ hostId, token });
      await l.execInNetwork(node.index, ['sh', '-c', `umask 077; curl -fsS -X POST -H 'Content-Type: application/json' --data '${body}' -o '${credentials}' '${nodeUrl}/ks/${hostId}/register'`]);
      writeFileSync(join(agentDir, 'agent.json'), JSON.stringify({
        strikerUrls: [nodeUrl], hostId, role: 'node', heartbeatSeconds: 2, inventorySeconds: 300, logLevel: 'info',
        cluster: { startCommand: l.clusterStartCommand(node.index), pollSeconds: 0.5 },
        ...(typeof options.agentConfig === 'function' ? options.agentConfig(node, agentDir, l) : options.agentConfig),
      }));
      await l.setServices(node.index, [agentService(node.index)]);
      await l.powerOn(node.index);
    }
    const hostIds = macs.map((m) => m.bcn.replaceAll(':', '-')) as [string, string];
    await waitFor('both agents said hello', 180_000, async () => (await t.db.query(`SELECT 1 FROM host_agents WHERE host_id = ANY($1)`, [hostIds])).rows.length === 2, 500)
      .catch(async (error: Error) => { throw new Error(`${error.message}\n${await diagnostics()}`); });

    const host = (i: 1 | 2) => ({
      machine: macs[i - 1]!.bcn,
      addresses: { bcn1: `198.18.1.${i}`, mn1: `198.18.2.${i}`, ...(options.sn === true ? { sn1: `198.18.3.${i}` } : {}) },
      links: { bcn1: { macs: [macs[i - 1]!.bcn] }, mn1: { macs: [macs[i - 1]!.mn] }, ...(options.sn === true ? { sn1: { macs: [`02:5e:00:00:03:0${i}`] } } : {}) },
      ipmi: { address: l.bmcUplinkAddress(i), username: BMC_USER.name, password: BMC_USER.password, parameters: { lanplus: true, ipport: l.bmcUplinkPort(i), cipher: 3 } },
    });
    const created = await api<{ manifest?: { id: string } }>('POST', '/api/manifests', {
      version: 1,
      pair: { prefix: options.prefix, sequence: 1, domain: 'lab.example' },
      networks: [
        { kind: 'bcn', index: 1, subnet: '198.18.1.0/24', mtu: 1500 }, { kind: 'mn', index: 1, subnet: '198.18.2.0/24', mtu: 1500 },
        ...(options.sn === true ? [{ kind: 'sn', index: 1, subnet: '198.18.3.0/24', mtu: 1500 }] : []),
      ],
      dns: [],
      ntp: [],
      hosts: { node1: host(1), node2: host(2) },
      fenceDevices: [],
      upses: options.upses ?? [],
      clusterPassword: 'a cluster password',
    });
    if (created.status !== 201 || created.json.manifest === undefined) throw new Error(`storing the manifest answered ${created.status}: ${JSON.stringify(created.json)}`);
    const manifestId = created.json.manifest.id;

    const joinsEnded = async (runId: string, timeoutMs: number): Promise<ManifestRunView> => {
      const outcome = await waitFor(`the cluster.join jobs of run ${runId}`, timeoutMs, async () => {
        const { json } = await api<{ run: ManifestRunView }>('GET', `/api/manifests/${manifestId}/runs/${runId}`);
        const failed = json.run.jobs.filter((j) => j.status === 'failed' || j.status === 'cancelled');
        if (failed.length > 0) return { failed: failed.map((j) => `${j.key}: ${j.lastError ?? j.text}`).join('; ') };
        return json.run.jobs.filter((j) => j.kind === 'cluster.join').every((j) => j.status === 'succeeded') ? { run: json.run } : false;
      }, 500).catch((error: Error) => ({ failed: error.message }));
      if ('failed' in outcome) throw new Error(`run ${runId}: ${outcome.failed}\n${await diagnostics()}`);
      return outcome.run;
    };

    return {
      lab: l, t, serve: s, manifestId, names: { anvil, nodes }, hostIds, api, agentService,
      runManifest: () => api<RunManifestResponse>('POST', `/api/manifests/${manifestId}/run`, {}),
      joinsEnded, diagnostics, stop,
    };
  } catch (error) {
    await stop().catch(() => undefined);
    throw error;
  }
}
