/**
 * A server's DRBD 9 resource file (drbd.conf(5)): one volume on the pair's two subnodes and,
 * when the pair has a DR host that protects the server, on the DR host too.
 *
 * - Node ids: node1 0, node2 1, the DR host 2. Every address is the host's address on the SN.
 * - Each connection has its own port, so each is its own listening socket and a DR link can be
 *   added or dropped without touching the pair's: node1↔node2 use `port`, node1↔DR `port + 1`,
 *   node2↔DR `port + 2` (allocation reserves all three for every server).
 * - Between the subnodes: protocol C and `fencing resource-and-stonith`, with the fence-peer
 *   handlers of drbd-global-plan.ts (a primary that loses its peer freezes I/O until the handler
 *   says the peer can no longer write).
 * - To the DR host: protocol A ("async") or C ("sync"), and `fencing dont-care`: losing the DR
 *   copy must never freeze the servers.
 * - `allow-two-primaries` is not set here: the resource agent turns it on for the duration of a
 *   live migration only.
 */
import { z } from 'zod';
import { ipv4Schema } from '../../striker/core/net/ipv4.js';
import { parseOrThrow } from '../../striker/core/validation/zod-problems.js';
import { defaultFencePeerCommand, defaultUnfencePeerCommand } from '../drbd-global-plan.js';
import { absolutePathSchema, hostNameSchema, serverNameSchema } from './server-names.js';

/** The highest DRBD minor number (drbdsetup new-minor accepts 0–1048575). */
export const maxDrbdMinor = 1_048_575;
/** Ports a server reserves on each host: the pair's connection and one per DR connection. */
export const portsPerServer = 3;

export const drbdHostSchema = z.strictObject({
  name: hostNameSchema,
  /** The host's address on the SN (storage network). */
  address: ipv4Schema,
});

export const drbdDrHostSchema = drbdHostSchema.extend({
  /** `A` ("async": a write completes once it is in the local TCP send buffer) or `C` ("sync"). */
  protocol: z.enum(['A', 'C']),
});

const handlerCommand = z.string().min(1).max(500).regex(/^[^\n\r]*$/, 'must be one line');

export const drbdResourceInputSchema = z
  .strictObject({
    name: serverNameSchema,
    minor: z.int().min(0).max(maxDrbdMinor),
    /** The pair connection's port; the DR connections use the next two. */
    port: z.int().min(1024).max(65535 - (portsPerServer - 1)),
    /** The backing block device on each host (the same path on every host). */
    disk: absolutePathSchema,
    nodes: z.tuple([drbdHostSchema, drbdHostSchema]),
    dr: drbdDrHostSchema.optional(),
    fencePeerCommand: handlerCommand.default(defaultFencePeerCommand),
    unfencePeerCommand: handlerCommand.default(defaultUnfencePeerCommand),
  })
  .superRefine((input, ctx) => {
    const names = [input.nodes[0].name, input.nodes[1].name, ...(input.dr ? [input.dr.name] : [])];
    const addresses = [input.nodes[0].address, input.nodes[1].address, ...(input.dr ? [input.dr.address] : [])];
    const paths: (string | number)[][] = [['nodes', 0], ['nodes', 1], ['dr']];
    names.forEach((n, i) => {
      const first = names.indexOf(n);
      if (first !== i) ctx.addIssue({ code: 'custom', path: [...paths[i]!, 'name'], message: `must differ from ${paths[first]!.join('.')}.name — both are '${n}'` });
    });
    addresses.forEach((a, i) => {
      const first = addresses.indexOf(a);
      if (first !== i) ctx.addIssue({ code: 'custom', path: [...paths[i]!, 'address'], message: `must differ from ${paths[first]!.join('.')}.address — both are ${a}` });
    });
  });

export type DrbdResourceInput = z.input<typeof drbdResourceInputSchema>;
export type DrbdResource = z.output<typeof drbdResourceInputSchema>;

/** The DRBD device a resource's volume 0 appears as. */
export function drbdDevicePath(minor: number): string {
  return `/dev/drbd${minor}`;
}

const quoted = (command: string) => `"${command.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;

interface Connection {
  a: { name: string; address: string };
  b: { name: string; address: string };
  port: number;
  protocol: 'A' | 'C';
  fencing: 'resource-and-stonith' | 'dont-care';
}

/** Renders the resource file; throws ValidationError naming every problem in the input. */
export function renderDrbdResource(input: DrbdResourceInput): string {
  const r = parseOrThrow(drbdResourceInputSchema, input, 'DRBD resource');
  const [n1, n2] = r.nodes;
  const connections: Connection[] = [{ a: n1, b: n2, port: r.port, protocol: 'C', fencing: 'resource-and-stonith' }];
  if (r.dr) {
    connections.push({ a: n1, b: r.dr, port: r.port + 1, protocol: r.dr.protocol, fencing: 'dont-care' });
    connections.push({ a: n2, b: r.dr, port: r.port + 2, protocol: r.dr.protocol, fencing: 'dont-care' });
  }
  const hosts = [n1, n2, ...(r.dr ? [r.dr] : [])];
  return [
    `# Written by Striker for server ${r.name}: node1 and node2${r.dr ? ` with DR host ${r.dr.name} (protocol ${r.dr.protocol})` : ''}.`,
    `resource ${r.name} {`,
    '    options {',
    '        auto-promote no;',
    '    }',
    '',
    '    handlers {',
    `        fence-peer ${quoted(r.fencePeerCommand)};`,
    `        unfence-peer ${quoted(r.unfencePeerCommand)};`,
    '    }',
    '',
    '    net {',
    '        protocol C;',
    '        fencing resource-and-stonith;',
    '    }',
    '',
    '    volume 0 {',
    `        device ${drbdDevicePath(r.minor)} minor ${r.minor};`,
    `        disk ${r.disk};`,
    '        meta-disk internal;',
    '    }',
    '',
    ...hosts.map((h, id) => `    on ${h.name} { node-id ${id}; }`),
    ...connections.flatMap((c) => [
      '',
      '    connection {',
      `        host ${c.a.name} address ipv4 ${c.a.address}:${c.port};`,
      `        host ${c.b.name} address ipv4 ${c.b.address}:${c.port};`,
      '        net {',
      `            protocol ${c.protocol};`,
      `            fencing ${c.fencing};`,
      '        }',
      '    }',
    ]),
    '}',
    '',
  ].join('\n');
}
