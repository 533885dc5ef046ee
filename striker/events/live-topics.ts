/**
 * The live channel's topics: what a page can follow on `GET /api/live?topics=...`. A topic names
 * a kind of thing a page shows; a change's key names which one (a MAC, a host, an id).
 *
 * | topic | announced by | key |
 * | --- | --- | --- |
 * | machines | machines, boot_events | MAC |
 * | hosts | host_agents (not heartbeats) | host id |
 * | jobs | jobs (created, status changed) | job id |
 * | repos | repos, installation_trees | name |
 * | alerts | alerts | alert id |
 * | strikers | striker_peers, conflicts; a peer's lag or connection when it changes (sampled: app/peer-status-sampler.ts) | peer name, conflict id |
 * | manifests | manifests, manifest_runs | manifest id |
 * | scancore | scan_readings, health_scores (host id), scancore_decisions (pair id) | host id or pair id |
 * | cluster, servers, files | the cluster areas' own tables | anvil name, server name, file id |
 */
export const liveTopics = ['machines', 'hosts', 'jobs', 'repos', 'alerts', 'strikers', 'manifests', 'scancore', 'cluster', 'servers', 'files'] as const;

export type LiveTopic = (typeof liveTopics)[number];

/** One change as the channel carries it: which topic, and which thing in it. */
export interface LiveChange {
  topic: LiveTopic;
  key: string;
}

const known = new Set<string>(liveTopics);

export function isLiveTopic(topic: unknown): topic is LiveTopic {
  return typeof topic === 'string' && known.has(topic);
}

/** A NOTIFY payload `{"topic","key"}` as a change, or undefined when it is not one. */
export function decodeLiveChange(payload: string | undefined): LiveChange | undefined {
  if (payload === undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(payload);
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null) return undefined;
  const { topic, key } = parsed as { topic?: unknown; key?: unknown };
  if (!isLiveTopic(topic) || typeof key !== 'string') return undefined;
  return { topic, key };
}
