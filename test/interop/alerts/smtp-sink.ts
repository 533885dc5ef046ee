/**
 * A real SMTP server (`smtp-server`) on 127.0.0.1 that requires AUTH and keeps what arrives,
 * parsed by `mailparser`. `refuseAuth` makes it reject every login (a relay with wrong credentials).
 */
import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface SmtpSink {
  port: number;
  received: ReceivedMail[];
  /** Resolves when `n` e-mails have arrived. */
  waitFor(n: number): Promise<ReceivedMail[]>;
  close(): Promise<void>;
}

export interface ReceivedMail {
  /** The authenticated user. */
  user: string | undefined;
  envelopeTo: string[];
  parsed: ParsedMail;
}

export async function startSmtpSink(options: { username: string; password: string; refuseAuth?: boolean }): Promise<SmtpSink> {
  const received: ReceivedMail[] = [];
  const waiters: { n: number; resolve: (m: ReceivedMail[]) => void }[] = [];
  const settle = () => {
    for (const w of [...waiters]) {
      if (received.length >= w.n) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(received.slice(0, w.n));
      }
    }
  };
  const server = new SMTPServer({
    secure: false,
    disabledCommands: ['STARTTLS'],
    allowInsecureAuth: true,
    authOptional: false,
    logger: false,
    onAuth(auth, _session, callback) {
      if (!options.refuseAuth && auth.username === options.username && auth.password === options.password) callback(null, { user: auth.username });
      else callback(new Error('Invalid username or password'));
    },
    onData(stream, session, callback) {
      simpleParser(stream)
        .then((parsed) => {
          received.push({ user: typeof session.user === 'string' ? session.user : undefined, envelopeTo: session.envelope.rcptTo.map((r) => r.address), parsed });
          settle();
          callback();
        })
        .catch((e: unknown) => callback(e instanceof Error ? e : new Error(String(e))));
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.server.address() as AddressInfo).port;
  return {
    port,
    received,
    waitFor: (n) =>
      new Promise((resolve) => {
        waiters.push({ n, resolve });
        settle();
      }),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** A loopback port with nothing listening (a relay that is down). */
export async function closedPort(): Promise<number> {
  const { createServer } = await import('node:net');
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', () => resolve()));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}
