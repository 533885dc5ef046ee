/**
 * What protecting or unprotecting a server asks of each of its three hosts. Pure.
 *
 * Protecting re-renders the server's DRBD resource with the DR host (cluster/servers'
 * `renderDrbdResource`: node id 2, its own connections on the server's second and third ports, the
 * link's protocol and `fencing dont-care`), after checking with allocation (`allocateServer`) that
 * the server's minor and ports are free on the DR host — a DR host shared by two pairs shares its
 * minors and ports. Unprotecting renders the pair-only file again. The same text goes to every
 * host; the DR host also gets its backing volume.
 */
import type { HostJobPayload } from '../../striker/agent/index.js';
import { ValidationError, type Problem } from '../../striker/core/errors/index.js';
import {
  allocateServer, backingVolumePath, renderDrbdResource, storageOf,
  type ExistingServer, type Server, type ServerHost, type ServersConfig,
} from '../servers/index.js';
import type { DrLink } from './dr-record.js';

export type DrProtectPayload = HostJobPayload<'dr.protect'>;

export interface DrHostPlan { host: ServerHost; payload: DrProtectPayload }

export interface ProtectPlan {
  /** The resource file with the DR host. */
  withDr: string;
  /** The resource file of the pair alone. */
  pairOnly: string;
  /** The server's hosts once protected: the pair's two and the DR host. */
  hosts: ServerHost[];
  protect: { node1: DrHostPlan; node2: DrHostPlan; dr: DrHostPlan };
  unprotect: { node1: DrHostPlan; node2: DrHostPlan; dr: DrHostPlan };
}

function nodeOf(server: Server, key: 'node1' | 'node2'): ServerHost {
  const host = server.hosts.find((h) => h.key === key);
  if (host === undefined) throw new Error(`server ${server.name} has no ${key} in its hosts`);
  return host;
}

/**
 * Plans the DR host's addition to `server`; throws ValidationError (path `server`) when the
 * server's minor or ports are taken on the DR host by another server.
 */
export function planProtection(server: Server, link: DrLink, config: ServersConfig, existing: readonly ExistingServer[]): ProtectPlan {
  const [n1, n2] = [nodeOf(server, 'node1'), nodeOf(server, 'node2')];
  const dr: ServerHost = { key: 'dr', name: link.drHost, hostId: link.drHostId, snAddress: link.drSnAddress };
  try {
    allocateServer(existing.filter((s) => s.name !== server.name), {
      name: server.name,
      nodes: [{ name: n1.name, snAddress: n1.snAddress }, { name: n2.name, snAddress: n2.snAddress }],
      dr: { name: dr.name, snAddress: dr.snAddress, protocol: link.protocol },
      minor: server.drbdMinor,
      port: server.drbdPort,
    });
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    const problems = ((error.details['problems'] as Problem[] | undefined) ?? []).map((p) => ({ path: 'server', message: `${server.name} cannot have ${link.drHost} added: ${p.path === 'minor' || p.path === 'port' ? '' : `${p.path} `}${p.message}` }));
    throw new ValidationError(problems, 'DR protection');
  }
  const storage = storageOf(config);
  const base = {
    name: server.name,
    minor: server.drbdMinor,
    port: server.drbdPort,
    disk: backingVolumePath(storage, server.name),
    nodes: [{ name: n1.name, address: n1.snAddress }, { name: n2.name, address: n2.snAddress }] as [{ name: string; address: string }, { name: string; address: string }],
  };
  const withDr = renderDrbdResource({ ...base, dr: { name: dr.name, address: dr.snAddress, protocol: link.protocol } });
  const pairOnly = renderDrbdResource(base);
  const volume = { diskGiB: server.diskGiB, storage };
  const payload = (host: ServerHost, role: 'node1' | 'node2' | 'dr', file: string | undefined): DrHostPlan => ({
    host,
    payload: {
      server: server.name, anvilName: link.anvil, role, hostName: host.name, drbdDryRun: config.drbdDryRun,
      ...(file === undefined ? {} : { drbdResource: file }),
      ...(role === 'dr' ? { volume } : {}),
    },
  });
  return {
    withDr,
    pairOnly,
    hosts: [n1, n2, dr],
    protect: { node1: payload(n1, 'node1', withDr), node2: payload(n2, 'node2', withDr), dr: payload(dr, 'dr', withDr) },
    unprotect: { node1: payload(n1, 'node1', pairOnly), node2: payload(n2, 'node2', pairOnly), dr: payload(dr, 'dr', undefined) },
  };
}
