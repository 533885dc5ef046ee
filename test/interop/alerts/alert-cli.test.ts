/**
 * `striker alerts ...` in process against a test database (as a CLI beside a running Striker):
 * recipients and relays added, the relay password read from standard input and sealed, a test
 * e-mail that arrives at a real smtp-server sink, the history listed and an alert acknowledged.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { raiseAlert } from '../../../cluster/scancore/alerts/raise-alert.js';
import { renderer } from '../../../cluster/scancore/alerts/render-message.js';
import { buildProgram } from '../../../striker/app/cli/program.js';
import { siteKeys } from '../../../striker/core/secrets/index.js';
import { createTestDatabase, quietLogger, type TestDatabase } from '../../support/test-database.js';
import { startSmtpSink, type SmtpSink } from './smtp-sink.js';

const dir = mkdtempSync(join(tmpdir(), 'striker-alert-cli-'));
let t: TestDatabase;
let sink: SmtpSink;

async function striker(stdin: string, ...args: string[]): Promise<string> {
  const out: string[] = [];
  const program = buildProgram(
    {
      env: { STRIKER_DATABASE__URLS: JSON.stringify([t.url]), STRIKER_DATA_DIR: join(dir, 'var') },
      stdout: (s) => void out.push(s),
      stderr: (s) => void out.push(s),
      readStdin: async () => stdin,
      makeLogger: () => quietLogger,
      runServe: async () => 0,
      runAgent: async () => 0,
    },
    () => undefined,
  );
  await program.parseAsync(['node', 'striker', '--json', ...args]);
  return out.join('');
}

beforeAll(async () => {
  t = await createTestDatabase();
  sink = await startSmtpSink({ username: 'cli-relay', password: 'from stdin only' });
});
afterAll(async () => {
  await sink.close();
  await t.drop();
  rmSync(dir, { recursive: true, force: true });
});

describe('striker alerts', () => {
  it('adds a recipient and a relay, and sends a test e-mail that arrives', async () => {
    const r = JSON.parse(await striker('', 'alerts', 'recipients', 'add', '--name', 'Ops', '--email', 'ops@example.lan', '--level', 'warning', '--override', 'an-a01n02=none'));
    expect(r).toMatchObject({ email: 'ops@example.lan', level: 'warning', overrides: [{ host: 'an-a01n02', level: 'none' }] });
    const s = JSON.parse(await striker('from stdin only\n', 'alerts', 'servers', 'add', '--host', '127.0.0.1', '--port', String(sink.port), '--security', 'none', '--sender', 'striker@example.lan', '--username', 'cli-relay'));
    expect(s).toMatchObject({ host: '127.0.0.1', port: sink.port, password: { set: true } });
    const listed = await striker('', 'alerts', 'servers', 'list');
    expect(listed).not.toContain('from stdin only');
    const sent = JSON.parse(await striker('', 'alerts', 'test-email', '--recipient', r.id));
    expect(sent).toMatchObject({ sent: true, to: 'ops@example.lan' });
    const [m] = await sink.waitFor(1);
    expect(m!.user).toBe('cli-relay');
    expect(m!.envelopeTo).toEqual(['ops@example.lan']);
    expect(m!.parsed.subject).toBe('Striker test e-mail');
  });

  it('lists the history and acknowledges as the CLI user', async () => {
    const deps = { db: t.db, keys: siteKeys(join(dir, 'var')), clock: () => new Date('2026-05-01T00:00:00Z'), settings: { holdSeconds: 0, smtpTimeoutSeconds: 5 }, renderer: renderer(), logger: quietLogger };
    const { alertId } = await raiseAlert(deps, { source: 'scancore.ups', host: 'an-a01n01', key: 'ups1', level: 'critical', messageKey: 'scancore.ups.on_battery', variables: { ups: 'ups1', charge: 80, runtime: 900 } });
    const h = JSON.parse(await striker('', 'alerts', 'list', '--level', 'critical'));
    expect(h).toMatchObject({ total: 1, alerts: [{ id: alertId, host: 'an-a01n01', deliveries: [{ email: 'ops@example.lan', kind: 'set', status: 'queued' }] }] });
    const a = JSON.parse(await striker('', 'alerts', 'ack', alertId!));
    expect(a).toMatchObject({ id: alertId, acknowledgedBy: `cli:${userInfo().username}` });
  });

  it('refuses bad input with the option named', async () => {
    await expect(striker('', 'alerts', 'servers', 'add', '--host', '127.0.0.1', '--port', 'twenty-five', '--sender', 'a@b.lan')).rejects.toMatchObject({ code: 'VALIDATION_FAILED', problems: [{ path: 'port' }] });
    await expect(striker('', 'alerts', 'recipients', 'add', '--name', 'X', '--email', 'x@y.lan', '--level', 'info', '--override', 'an-a01n01')).rejects.toMatchObject({ problems: [{ path: 'overrides.0.level' }] });
  });
});
