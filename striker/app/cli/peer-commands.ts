/**
 * `striker peers add|list|remove|reseed`, `striker secrets rotate` and `striker conflicts
 * list|resolve`: the peers area's actions, the same the API and the Strikers page call. The other
 * Striker's admin API token for `peers add` is read from standard input (never an argument, which
 * other users could read in the process list).
 */
import type { Command } from 'commander';
import { Option } from 'commander';
import { columnContext } from '../../core/secrets/index.js';
import { addPeer, conflictView, peersOverview, removePeer, reseedFromPeer, reseedPeer, resolveConflict, rotateKeys } from '../../peers/index.js';
import { peeringFor } from '../peering.js';
import { printResult, printRows, printTable } from './output.js';
import type { CliContext } from './cli-context.js';

export function addPeerCommands(program: Command, c: CliContext): void {
  const peers = program.command('peers').description('other Strikers this one replicates with');
  const withPeering = <T>(fn: (deps: ReturnType<typeof peeringFor>) => Promise<T>) => c.withDb((db, logger) => fn(peeringFor(c.config(), db, logger)));

  peers
    .command('list')
    .description('peers and their replication state')
    .action(async () => {
      const o = await withPeering((deps) => peersOverview(deps));
      const p = c.printer();
      printResult(p, o, () => {
        p.out(`this Striker: ${o.self.name}  ${o.self.address}  site key ${o.self.keyId}  unresolved conflicts ${o.unresolvedConflicts}`);
        printTable(p, o.peers, ['name', 'state', 'connected', 'lagBytes', 'lagSeconds', 'unresolvedConflicts', 'address', 'lastError']);
      });
    });

  peers
    .command('add <address>')
    .description("peer with the Striker at <address> (https://, or http:// on loopback); that Striker's admin API token is read from standard input")
    .action(async (address: string) => {
      const token = (await c.io.readStdin()).trim();
      const added = await withPeering((deps) => addPeer(deps, c.cliActor(), { address, token }));
      const p = c.printer();
      printResult(p, added, () => p.out(`peered with ${added.peer} (${added.address})${added.seeded ? `; ${added.peer} copied this site's data` : ''}`));
    });

  peers
    .command('remove <name>')
    .description('stop replicating with a peer: subscriptions and slots on both sides, the replication roles')
    .action(async (name: string) => {
      const r = await withPeering((deps) => removePeer(deps, c.cliActor(), name));
      const p = c.printer();
      printResult(p, r, () => p.out(r.peerNotified ? `removed ${r.peer}` : `removed ${r.peer} here; it was not told: ${r.error ?? ''}`));
    });

  peers
    .command('reseed <name>')
    .description('copy the data again: the peer from this Striker (default), or this Striker from the peer (--here)')
    .option('--here', 're-seed this Striker from the peer (its slot for this Striker was lost)')
    .action(async (name: string, o: { here?: boolean }) => {
      const r = await withPeering((deps) => (o.here ? reseedFromPeer(deps, c.cliActor(), name) : reseedPeer(deps, c.cliActor(), name)));
      const p = c.printer();
      printResult(p, r, () => p.out(o.here ? `re-seeding this Striker from ${r.peer}` : `${r.peer} is re-seeding from this Striker`));
    });

  program
    .command('secrets')
    .description("the site's secret key")
    .command('rotate')
    .description('make a new site key, hand it to every peer, then re-encrypt every stored secret with it')
    .action(async () => {
      const r = await withPeering((deps) => rotateKeys(deps, c.cliActor()));
      const p = c.printer();
      printResult(p, r, () => {
        p.out(`site key ${r.previousKeyId} → ${r.keyId}`);
        for (const peer of r.peers) p.out(`  peer ${peer.name}: ${peer.current ? 'current' : `holds the key, not current: ${peer.error ?? ''}`}`);
        for (const t of r.reencrypted) p.out(`  ${t.table}: ${t.rewritten} re-encrypted`);
      });
    });

  const conflicts = program.command('conflicts').description('conflicts the replication rules recorded');
  conflicts
    .command('list')
    .description('unresolved conflicts (--all: resolved ones too)')
    .option('--all', 'include resolved conflicts')
    .action(async (o: { all?: boolean }) => {
      const list = await withPeering(async (deps) => {
        const sealed = new Set(deps.registry.flatMap((t) => t.columns.map((col) => columnContext(t.table, col))));
        return (await deps.replication.conflicts(deps.db, { unresolvedOnly: !o.all, limit: 1000 })).map((x) => conflictView(x, sealed));
      });
      printRows(c.printer(), list, ['id', 'tableName', 'rowId', 'kind', 'keptOrigin', 'discardedOrigin', 'detectedAt', 'resolution']);
    });
  conflicts
    .command('resolve <id>')
    .description('settle a conflict: keep the version the rules kept, or restore the discarded one')
    .addOption(new Option('--keep <version>', 'which version stays').choices(['kept', 'discarded']).makeOptionMandatory())
    .action(async (id: string, o: { keep: string }) => {
      const r = await withPeering((deps) => resolveConflict(deps, c.cliActor(), id, { keep: o.keep }));
      const p = c.printer();
      printResult(p, r, () => p.out(`${r.id} ${r.resolution}`));
    });
}
