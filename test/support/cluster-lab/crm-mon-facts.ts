/**
 * The few facts the cluster-lab tests assert, read from `crm_mon --output-as=xml` and
 * `stonith_admin --history --output-as=xml` through the project's XML reader: nodes and whether
 * they are online, quorum, where each resource runs, the fence history. Striker's own parser of
 * cluster state lives in cluster/; this reader only serves the lab's assertions.
 */
import { XmlReader } from '../../../repo-sync/index.js';

export interface CrmNode {
  name: string;
  online: boolean;
  unclean: boolean;
}

export interface CrmResource {
  id: string;
  agent: string;
  role: string;
  /** Nodes it runs on. */
  nodes: string[];
}

export interface CrmMonFacts {
  dc?: string;
  quorate: boolean;
  nodes: CrmNode[];
  resources: CrmResource[];
}

export function crmMonFacts(xml: string): CrmMonFacts {
  const facts: CrmMonFacts = { quorate: false, nodes: [], resources: [] };
  let resource: CrmResource | undefined;
  let section = '';
  const reader = new XmlReader('crm_mon', {
    open(name, a, depth) {
      if (depth === 2) section = name;
      if (section === 'summary' && name === 'current_dc' && a['present'] === 'true') {
        facts.dc = a['name'];
        facts.quorate = a['with_quorum'] === 'true';
      } else if (section === 'nodes' && name === 'node') {
        facts.nodes.push({ name: a['name'] ?? '', online: a['online'] === 'true', unclean: a['unclean'] === 'true' });
      } else if (section === 'resources' && name === 'resource') {
        resource = { id: a['id'] ?? '', agent: a['resource_agent'] ?? '', role: a['role'] ?? '', nodes: [] };
        facts.resources.push(resource);
      } else if (resource !== undefined && name === 'node') {
        resource.nodes.push(a['name'] ?? '');
      }
    },
    close(name) {
      if (name === 'resource') resource = undefined;
    },
  });
  reader.write(xml);
  reader.end();
  return facts;
}

export interface FenceEvent {
  target: string;
  action: string;
  status: string;
  delegate?: string;
}

/** `stonith_admin --history <node> --output-as=xml`: one event per `<fence_event>`. */
export function fenceHistory(xml: string): FenceEvent[] {
  const events: FenceEvent[] = [];
  const reader = new XmlReader('stonith_admin', {
    open(name, a) {
      if (name !== 'fence_event') return;
      events.push({ target: a['target'] ?? '', action: a['action'] ?? '', status: a['status'] ?? '', ...(a['delegate'] ? { delegate: a['delegate'] } : {}) });
    },
  });
  reader.write(xml);
  reader.end();
  return events;
}

export function nodeOnline(facts: CrmMonFacts, name: string): boolean {
  return facts.nodes.some((n) => n.name === name && n.online);
}

export function runsOn(facts: CrmMonFacts, id: string): string[] {
  return facts.resources.find((r) => r.id === id && r.role === 'Started')?.nodes ?? [];
}
