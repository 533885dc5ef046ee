/**
 * corosync.conf for a node pair (corosync.conf(5), votequorum(5)): the knet transport with two
 * links — link 0 on the BCN, link 1 on the MN, else the SN, else the IFN — so losing one network
 * keeps the pair quorate; `two_node: 1` (which implies `wait_for_all`), so one node keeps quorum
 * when its peer is fenced but a node that boots alone waits to see its peer once. Traffic is
 * encrypted with the pair's authkey (`generateCorosyncAuthkey`), which the caller stores as a
 * secret and hands only to the pair's agents.
 *
 * knet's default passive link mode sends on the highest-priority link that is up: the BCN has
 * priority 1 and the second link 0, so the second link carries traffic only while the BCN is down.
 */
import { randomBytes } from 'node:crypto';
import type { NetworkKind, PairNode, PairPlanInput } from './pair-input.js';

/** The network kinds link 1 may use, in the order they are preferred. */
const secondLinkKinds: readonly NetworkKind[] = ['mn', 'sn', 'ifn'];

export interface CorosyncLink {
  number: 0 | 1;
  kind: NetworkKind;
  /** knet_link_priority: the higher one carries traffic while it is up. */
  priority: number;
}

export interface CorosyncNode {
  name: string;
  nodeid: number;
  /** One address per link, in link order. */
  addresses: string[];
}

export interface CorosyncPlan {
  clusterName: string;
  links: CorosyncLink[];
  nodes: CorosyncNode[];
}

export interface CorosyncRenderOptions {
  /** totem.keyfile; corosync reads /etc/corosync/authkey when absent. */
  keyFile?: string;
  /** Where corosync logs; /var/log/cluster/corosync.log when absent. */
  logFile?: string;
}

/** Bytes in a corosync authkey: corosync-keygen writes 256 (the largest key knet accepts is 4096). */
export const corosyncAuthkeyBytes = 256;

/** A new random authkey for one pair. Generated once; store it as the pair's secret. */
export function generateCorosyncAuthkey(): Buffer {
  return randomBytes(corosyncAuthkeyBytes);
}

/** The links and node addresses for the pair: link 0 on the BCN, link 1 on the first of MN, SN, IFN both nodes have. */
export function planCorosync(input: PairPlanInput): CorosyncPlan {
  const second = secondLinkKinds.find((kind) => input.nodes.every((node) => node.addresses[kind] !== undefined));
  const links: CorosyncLink[] = [{ number: 0, kind: 'bcn', priority: 1 }];
  if (second !== undefined) links.push({ number: 1, kind: second, priority: 0 });
  const nodes = input.nodes.map((node: PairNode, i): CorosyncNode => ({
    name: node.name,
    nodeid: i + 1,
    addresses: links.map((link) => node.addresses[link.kind] as string),
  }));
  return { clusterName: input.clusterName, links, nodes };
}

/** corosync.conf text for the plan. corosync wants every `{` to end its line, as written here. */
export function renderCorosyncConf(plan: CorosyncPlan, options: CorosyncRenderOptions = {}): string {
  const lines: string[] = [
    'totem {',
    '    version: 2',
    `    cluster_name: ${plan.clusterName}`,
    '    transport: knet',
    '    crypto_cipher: aes256',
    '    crypto_hash: sha256',
  ];
  if (options.keyFile !== undefined) lines.push(`    keyfile: ${options.keyFile}`);
  for (const link of plan.links) {
    lines.push('', '    interface {', `        linknumber: ${link.number}`, `        knet_link_priority: ${link.priority}`, '    }');
  }
  lines.push('}', '', 'nodelist {');
  plan.nodes.forEach((node, i) => {
    if (i > 0) lines.push('');
    lines.push('    node {');
    node.addresses.forEach((address, link) => lines.push(`        ring${link}_addr: ${address}`));
    lines.push(`        name: ${node.name}`, `        nodeid: ${node.nodeid}`, '    }');
  });
  lines.push(
    '}',
    '',
    'quorum {',
    '    provider: corosync_votequorum',
    '    two_node: 1',
    '}',
    '',
    'logging {',
    '    to_logfile: yes',
    `    logfile: ${options.logFile ?? '/var/log/cluster/corosync.log'}`,
    '    to_syslog: yes',
    '    timestamp: on',
    '}',
  );
  return `${lines.join('\n')}\n`;
}
