/**
 * `striker alerts list|ack|test-email`, `striker alerts recipients list|add|remove` and `striker
 * alerts servers list|add|remove`: the alerts area's actions, the same the API and the Alerts page
 * call. A relay's password is read from standard input (never an argument, which other users could
 * read in the process list).
 */
import type { Command } from 'commander';
import { Option } from 'commander';
import {
  acknowledgeAlert,
  addMailServer,
  addRecipient,
  alertHistory,
  ALERT_LEVELS,
  listAlertMailServers,
  listAlertRecipients,
  RECIPIENT_LEVELS,
  removeMailServer,
  removeRecipient,
  renderer,
  sendTestEmail,
  type AlertsDeps,
} from '../../../cluster/scancore/alerts/index.js';
import { systemClock } from '../../core/clock.js';
import { siteKeys } from '../../core/secrets/index.js';
import { printResult, printRows, printTable } from './output.js';
import type { CliContext } from './cli-context.js';

export function addAlertCommands(program: Command, c: CliContext): void {
  const alerts = program.command('alerts').description('alert history, recipients, SMTP relays and the test e-mail');
  const withAlerts = <T>(fn: (deps: AlertsDeps) => Promise<T>) =>
    c.withDb((db, logger) => fn({ db, keys: siteKeys(c.config().dataDir), clock: systemClock, settings: c.config().scancore.alerts, renderer: renderer(), logger: logger.child({ component: 'alerts' }) }));

  alerts
    .command('list')
    .description('alerts, newest first')
    .addOption(new Option('--level <level>', 'only this level').choices([...ALERT_LEVELS]))
    .option('--host <host>', 'only alerts about this host')
    .option('--limit <n>', 'at most this many', '50')
    .option('--offset <n>', 'skip this many', '0')
    .action(async (o: { level?: string; host?: string; limit: string; offset: string }) => {
      const h = await withAlerts((deps) => alertHistory(deps, { ...(o.level ? { level: o.level } : {}), ...(o.host ? { host: o.host } : {}), limit: o.limit, offset: o.offset }));
      const p = c.printer();
      printResult(p, h, () => {
        printTable(p, h.alerts, ['id', 'raisedAt', 'level', 'host', 'source', 'key', 'state', 'clearedAt', 'acknowledgedBy']);
        p.out(`${h.alerts.length} of ${h.total} (from ${h.offset})`);
      });
    });

  alerts
    .command('ack <id>')
    .description('acknowledge an alert')
    .action(async (id: string) => {
      const a = await withAlerts((deps) => acknowledgeAlert(deps, c.cliActor(), id));
      const p = c.printer();
      printResult(p, a, () => p.out(`acknowledged ${a.id} (${a.level} on ${a.host})`));
    });

  alerts
    .command('test-email')
    .description('send a test e-mail now through the relays in order: to an address (--to) or a recipient (--recipient)')
    .option('--to <address>', 'e-mail address')
    .option('--recipient <id>', 'a recipient id')
    .action(async (o: { to?: string; recipient?: string }) => {
      const r = await withAlerts((deps) => sendTestEmail(deps, c.cliActor(), { ...(o.to ? { to: o.to } : {}), ...(o.recipient ? { recipientId: o.recipient } : {}) }));
      const p = c.printer();
      printResult(p, r, () => p.out(r.sent ? `sent to ${r.to} through ${r.relay}` : `not sent to ${r.to}: ${(r.errors ?? []).map((e) => (e.relay ? `${e.relay}: ${e.message}` : e.message)).join('; ')}`));
    });

  const recipients = alerts.command('recipients').description('who receives alert e-mails');
  recipients
    .command('list')
    .description('recipients and their levels')
    .action(async () => {
      const rows = await withAlerts((deps) => listAlertRecipients(deps));
      printRows(c.printer(), rows.map((r) => ({ ...r, overrides: r.overrides.map((o) => `${o.host}=${o.level}`).join(',') })), ['id', 'name', 'email', 'language', 'level', 'overrides']);
    });
  recipients
    .command('add')
    .description('add a recipient')
    .requiredOption('--name <name>', 'who')
    .requiredOption('--email <address>', 'e-mail address')
    .addOption(new Option('--level <level>', 'least severe level received').choices([...RECIPIENT_LEVELS]).makeOptionMandatory())
    .option('--language <tag>', 'language of the e-mails', 'en')
    .option('--override <host=level...>', 'a different level for one host (repeatable)')
    .action(async (o: { name: string; email: string; level: string; language: string; override?: string[] }) => {
      const overrides = (o.override ?? []).map((s) => {
        const at = s.lastIndexOf('=');
        return at < 0 ? { host: s, level: '' } : { host: s.slice(0, at), level: s.slice(at + 1) };
      });
      const r = await withAlerts((deps) => addRecipient(deps, c.cliActor(), { name: o.name, email: o.email, level: o.level, language: o.language, overrides }));
      const p = c.printer();
      printResult(p, r, () => p.out(`added ${r.name} <${r.email}> (${r.level}) as ${r.id}`));
    });
  recipients
    .command('remove <id>')
    .description('remove a recipient')
    .action(async (id: string) => {
      const r = await withAlerts((deps) => removeRecipient(deps, c.cliActor(), id));
      const p = c.printer();
      printResult(p, r, () => p.out(`removed ${r.removed}`));
    });

  const servers = alerts.command('servers').description('SMTP relays, tried in order');
  servers
    .command('list')
    .description('relays in failover order')
    .action(async () => {
      const rows = await withAlerts((deps) => listAlertMailServers(deps));
      printRows(c.printer(), rows.map((s) => ({ ...s, password: s.password.set ? 'set' : '-' })), ['id', 'position', 'host', 'port', 'security', 'username', 'password', 'sender']);
    });
  servers
    .command('add')
    .description('add a relay; with --username its password is read from standard input')
    .requiredOption('--host <host>', 'relay host name or address')
    .requiredOption('--port <port>', 'relay port')
    .addOption(new Option('--security <mode>', 'none, starttls (required) or tls (from the start)').choices(['none', 'starttls', 'tls']).default('starttls'))
    .requiredOption('--sender <address>', 'the From address')
    .option('--username <name>', 'log in as')
    .option('--position <n>', 'failover position (default: last)')
    .action(async (o: { host: string; port: string; security: string; sender: string; username?: string; position?: string }) => {
      const password = o.username === undefined ? null : (await c.io.readStdin()).replace(/\r?\n$/, '');
      const input = {
        host: o.host,
        port: Number(o.port),
        security: o.security,
        sender: o.sender,
        username: o.username ?? null,
        password: password === '' ? null : password,
        ...(o.position === undefined ? {} : { position: Number(o.position) }),
      };
      const s = await withAlerts((deps) => addMailServer(deps, c.cliActor(), input));
      const p = c.printer();
      printResult(p, s, () => p.out(`added relay ${s.host}:${s.port} (${s.security}) at position ${s.position} as ${s.id}`));
    });
  servers
    .command('remove <id>')
    .description('remove a relay')
    .action(async (id: string) => {
      const r = await withAlerts((deps) => removeMailServer(deps, c.cliActor(), id));
      const p = c.printer();
      printResult(p, r, () => p.out(`removed ${r.removed}`));
    });
}
