import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendThroughRelays, type Relay } from '../../../cluster/scancore/alerts/smtp-relay.js';
import { closedPort, startSmtpSink, type SmtpSink } from './smtp-sink.js';

let good: SmtpSink;
let refusing: SmtpSink;
let down: number;

beforeAll(async () => {
  good = await startSmtpSink({ username: 'striker', password: 's3cret relay' });
  refusing = await startSmtpSink({ username: 'striker', password: 's3cret relay', refuseAuth: true });
  down = await closedPort();
});
afterAll(async () => {
  await good.close();
  await refusing.close();
});

const relay = (id: string, port: number, over: Partial<Relay> = {}): Relay => ({
  id,
  host: '127.0.0.1',
  port,
  security: 'none',
  username: 'striker',
  password: 's3cret relay',
  sender: 'striker@example.lan',
  ...over,
});
const mail = { to: 'ops@example.lan', subject: '[Critical] an-a01n01: UPS ups1 is low on battery', text: 'UPS ups1 is low on battery.\n', headers: { 'X-Striker-Alert-Level': 'critical' } };

describe('sending through SMTP relays (real smtp-server with AUTH)', () => {
  it('delivers through the first relay, authenticated', async () => {
    const before = good.received.length;
    const out = await sendThroughRelays([relay('a', good.port)], mail, { seconds: 5 });
    expect(out).toMatchObject({ ok: true, relayId: 'a' });
    const [m] = (await good.waitFor(before + 1)).slice(before);
    expect(m!.user).toBe('striker');
    expect(m!.envelopeTo).toEqual(['ops@example.lan']);
    expect(m!.parsed.subject).toBe(mail.subject);
    expect(m!.parsed.text).toBe(mail.text);
    expect(m!.parsed.headers.get('x-striker-alert-level')).toBe('critical');
    expect(m!.parsed.from?.text).toBe('striker@example.lan');
  });

  it('fails over past a relay that is down and one that refuses the login', async () => {
    const before = good.received.length;
    const out = await sendThroughRelays([relay('down', down), relay('refusing', refusing.port), relay('good', good.port)], mail, { seconds: 5 });
    expect(out).toMatchObject({ ok: true, relayId: 'good' });
    expect((await good.waitFor(before + 1)).length).toBe(before + 1);
    expect(refusing.received).toHaveLength(0);
  });

  it('reports every relay\'s error when none accepts', async () => {
    const out = await sendThroughRelays([relay('down', down), relay('refusing', refusing.port)], mail, { seconds: 5 });
    expect(out.ok).toBe(false);
    if (out.ok) return;
    expect(out.errors.map((e) => e.relayId)).toEqual(['down', 'refusing']);
    expect(out.errors[0]!.relay).toBe(`127.0.0.1:${down}`);
    expect(out.errors[0]!.message).toMatch(/ECONNREFUSED/);
    expect(out.errors[1]!.message).toMatch(/Invalid login|Invalid username or password|535/);
  });

  it('a wrong password is refused by the relay', async () => {
    const out = await sendThroughRelays([relay('good', good.port, { password: 'wrong' })], mail, { seconds: 5 });
    expect(out.ok).toBe(false);
  });

  it('with no relay configured, says so', async () => {
    expect(await sendThroughRelays([], mail)).toEqual({ ok: false, errors: [{ relayId: '', relay: '', message: 'no mail server is configured' }] });
  });
});
