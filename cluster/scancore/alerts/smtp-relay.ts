/**
 * Sends one e-mail through the configured SMTP relays with nodemailer, in failover order: the
 * first relay that accepts it is used; when none does, every relay's error is reported.
 */
import { createTransport } from 'nodemailer';

export type RelaySecurity = 'none' | 'starttls' | 'tls';

export interface Relay {
  id: string;
  host: string;
  port: number;
  /** 'none': plain SMTP, STARTTLS ignored; 'starttls': the upgrade is required; 'tls': TLS from the start. */
  security: RelaySecurity;
  username: string | null;
  /** Plaintext (opened from its envelope just before sending). */
  password: string | null;
  sender: string;
}

export interface OutgoingMail {
  to: string;
  subject: string;
  text: string;
  /** Extra headers (X-Striker-*). */
  headers?: Record<string, string>;
}

export interface RelayError {
  relayId: string;
  relay: string;
  message: string;
}

export type RelayOutcome = { ok: true; relayId: string; messageId: string } | { ok: false; errors: RelayError[] };

export interface RelayTimeouts {
  /** Seconds to connect, to wait for the greeting, and of socket silence. */
  seconds: number;
}

export function relayLabel(r: Pick<Relay, 'host' | 'port'>): string {
  return `${r.host.includes(':') ? `[${r.host}]` : r.host}:${r.port}`;
}

export async function sendThroughRelays(relays: readonly Relay[], mail: OutgoingMail, timeouts: RelayTimeouts = { seconds: 15 }): Promise<RelayOutcome> {
  const errors: RelayError[] = [];
  for (const relay of relays) {
    const ms = timeouts.seconds * 1000;
    const transport = createTransport({
      host: relay.host,
      port: relay.port,
      secure: relay.security === 'tls',
      requireTLS: relay.security === 'starttls',
      ignoreTLS: relay.security === 'none',
      auth: relay.username === null ? undefined : { user: relay.username, pass: relay.password ?? '' },
      connectionTimeout: ms,
      greetingTimeout: ms,
      socketTimeout: ms,
    });
    try {
      const info = await transport.sendMail({ from: relay.sender, to: mail.to, subject: mail.subject, text: mail.text, headers: mail.headers ?? {} });
      return { ok: true, relayId: relay.id, messageId: info.messageId };
    } catch (e) {
      errors.push({ relayId: relay.id, relay: relayLabel(relay), message: e instanceof Error ? e.message : String(e) });
    } finally {
      transport.close();
    }
  }
  if (relays.length === 0) errors.push({ relayId: '', relay: '', message: 'no mail server is configured' });
  return { ok: false, errors };
}

/** One line naming each relay's error. */
export function describeRelayErrors(errors: readonly RelayError[]): string {
  return errors.map((e) => (e.relay === '' ? e.message : `${e.relay}: ${e.message}`)).join('; ');
}
