/**
 * Which tables of the `public` schema replicate between Strikers, and why each local one is local.
 * Every table must be listed: `classification.test.ts` reads the schema of a migrated database and
 * fails on a table that is not, so a migration that adds a table must decide here.
 *
 * Replicated tables are site-wide truth: any Striker may answer for them. Each has a uuid `id` and a
 * `modified_at` (the conflict rules need both). `record`: an application table, whose conflicts are
 * recorded and deletes logged; `plain`: the replication machinery's own tables, where the newer
 * version wins silently (a conflict about a conflict record is not worth an admin's time).
 *
 * History tables (schema `history`) are never published: each Striker writes its own history rows
 * for every change it applies, its own or a peer's (the history triggers of replicated tables are
 * ENABLE ALWAYS), so a change appears in each Striker's history exactly once.
 */

export type TableClass =
  | {
      kind: 'replicated';
      mode: 'record' | 'plain';
      /**
       * A column that, once set, marks a version as settled: a settled version wins over an
       * unsettled one before modified_at is compared (see migration 0030).
       */
      settledBy?: string;
    }
  | { kind: 'local'; why: string };

const site = { kind: 'replicated', mode: 'record' } as const satisfies TableClass;
const machinery = { kind: 'replicated', mode: 'plain' } as const satisfies TableClass;
const local = (why: string): TableClass => ({ kind: 'local', why });

export const tableClasses: Readonly<Record<string, TableClass>> = Object.freeze({
  // Users and what they did: one set of accounts and one audit trail for the site.
  users: site,
  api_tokens: site,
  audit_log: site,
  sessions: local('a browser session is held with one Striker, whose cookie it matches; its last-seen stamp changes on every request'),
  // Jobs: visible from every Striker; which Striker may claim a job is the job store's rule.
  jobs: site,
  job_messages: site,
  // Runs of install manifests: which jobs each run stands for, seen from every Striker.
  manifest_runs: site,
  // The Striker's own host: each Striker has its own identity, networks and host plans.
  striker_identity: local("this Striker's own host name, prefix and sequence: a singleton per Striker"),
  striker_networks: local("this Striker's own addresses on BCN/SN/IFN/MN (they reference its identity row)"),
  striker_apply_plans: local("what the configure job wrote on this Striker's own host"),
  // Machines, their boot timeline, reservations and registration tokens: the site's inventory.
  machines: site,
  boot_events: site,
  reservation_confirmations: site,
  kickstart_tokens: site,
  dhcp_leases: local("mirrors this Striker's own DHCP lease journal (the journal on its disk is the truth); each DHCP server leases from its own pool"),
  // Repos and installation trees describe files on this Striker's disk.
  repos: local("the mirror on this Striker's disk and the outcome of its own last sync"),
  installation_trees: local("OS media imported to this Striker's disk, with its local path"),
  media_uploads: local("a browser's upload of OS media to this Striker's disk, resumed only against the same Striker"),
  kickstart_checks: local("a pre-boot check of a kickstart against this Striker's own mirror"),
  pxe_settings: local("this Striker's own PXE interface, address and DHCP pool: each Striker serves its own back-channel port"),
  kickstart_settings: local('a singleton created by each Striker\'s own migration (different ids) whose tree and repo names refer to local mirrors'),
  // Host agents: an agent fails over to any Striker, so every Striker must know its credential
  // (stored hashed) and what it last reported. A report is the agent's own newest word about itself:
  // the newer version wins silently.
  agent_credentials: site,
  host_agents: machinery,
  // Install manifests: one description of each node pair for the site; their secrets are sealed
  // with the site key every Striker holds.
  manifests: site,
  manifest_secrets: site,
  // Each pair's corosync authkey (cluster/join), sealed with the site key: every Striker must hand
  // the pair's agents the same key.
  cluster_pair_keys: site,
  // ScanCore time series: each Striker keeps the readings it received or read itself. The engine
  // acts only on readings younger than scancore.readings.staleAfterSeconds, which a Striker taking
  // over collects within one scan interval, so nothing needs a peer's copy; replicating dozens of
  // rows per host every cycle to every peer would outweigh all the site's other writes.
  scan_readings: local("readings this Striker received from host agents or read from BMCs and UPSes itself; a high-volume time series aged out after hours"),
  health_scores: local("scores this Striker computed from its own readings, with their reasons; aged out after days"),
  // ScanCore's decisions and the engine's memory per pair: any Striker shows them, and the Striker
  // that takes a pair over (its owner_node) must not forget a running grace period or the nodes
  // the engine powered off.
  scancore_memory: site,
  scancore_decisions: site,
  // Alerts (cluster/scancore/alerts): recipients, relays (the password sealed with the site key),
  // what was raised and each e-mail sent; any Striker may raise, deliver and show them.
  alert_recipients: site,
  alert_recipient_overrides: site,
  alert_mail_servers: site,
  alerts: site,
  alert_deliveries: site,
  // Servers on the pairs (cluster/servers): what each is, where it runs, its provisioning step,
  // and its migrations with their durations; any Striker shows and acts on them.
  servers: site,
  // The DR host of each pair and the servers it protects (cluster/dr): site-wide, like the servers.
  dr_links: site,
  dr_protections: site,
  server_migrations: site,
  // Each server's definition versions and the conflicts between two nodes' changes (cluster/servers):
  // any Striker shows them and settles a conflict.
  server_definitions: site,
  server_definition_conflicts: site,
  // Files synced to hosts (cluster/files): what each is and where it stands on each host; any
  // Striker shows them, pushes them and answers agents' state reports.
  files: site,
  file_hosts: site,
  // Each Striker's copy of each file's bytes (it pulls them from a peer that holds them): written
  // only by that Striker, its own newest word about its own disk, so the newer version wins silently.
  file_copies: machinery,
  // Replication machinery. A conflict an admin settled stays settled: a peer whose apply worker was
  // behind records the same conflict later and shares an unsettled copy that is newer.
  conflicts: { kind: 'replicated', mode: 'plain', settledBy: 'resolved_at' },
  // The cluster state each node reports (cluster/ops): any Striker shows it; a report is the node's
  // own newest word about its cluster, so the newer version wins silently.
  cluster_reports: machinery,
  row_deletions: machinery,
  striker_schema_versions: machinery,
  conflict_inbox: local("conflicts as this Striker's apply workers found them, until shared through `conflicts`"),
  striker_peers: local("this Striker's own subscriptions to its peers and their sealed credentials"),
  replication_node: local("this Striker's own name among its peers"),
  schema_migrations: local('each Striker runs every migration itself; DDL does not replicate'),
});

/** The replicated tables, each with its conflict-rule mode, in name order. */
export function replicatedTables(classes: Readonly<Record<string, TableClass>> = tableClasses): { table: string; mode: 'record' | 'plain'; settledBy?: string }[] {
  return Object.entries(classes)
    .flatMap(([table, c]) => (c.kind === 'replicated' ? [{ table, mode: c.mode, ...(c.settledBy ? { settledBy: c.settledBy } : {}) }] : []))
    .sort((a, b) => a.table.localeCompare(b.table));
}

/** Tables present in the schema but not classified (a migration forgot to decide). */
export function unclassifiedTables(schemaTables: readonly string[], classes: Readonly<Record<string, TableClass>> = tableClasses): string[] {
  return schemaTables.filter((t) => !(t in classes)).sort();
}
