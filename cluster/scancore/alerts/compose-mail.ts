/**
 * The subject and plain-text body of one alert e-mail, in the recipient's language.
 */
import type { AlertLevel } from './alert-level.js';
import type { Renderer, Variables } from './render-message.js';

export interface AlertFacts {
  source: string;
  host: string;
  level: AlertLevel;
  messageKey: string;
  variables: Variables;
  clearMessageKey: string | null;
  clearVariables: Variables;
  raisedAt: Date;
  clearedAt: Date | null;
}

export interface Mail {
  subject: string;
  text: string;
}

export function composeAlertMail(r: Renderer, language: string, kind: 'set' | 'clear', alert: AlertFacts): Mail {
  const level = r.text(language, `mail.level.${alert.level}`);
  const message =
    kind === 'clear' && alert.clearMessageKey !== null ? r.text(language, alert.clearMessageKey, alert.clearVariables) : r.text(language, alert.messageKey, alert.variables);
  const subject = r.text(language, `mail.subject.${kind}`, { level, host: alert.host, message: firstLine(message) });
  const fields: [string, string][] = [
    [r.text(language, 'mail.field.level'), level],
    [r.text(language, 'mail.field.host'), alert.host],
    [r.text(language, 'mail.field.source'), alert.source],
    [r.text(language, 'mail.field.raised'), alert.raisedAt.toISOString()],
  ];
  if (kind === 'clear' && alert.clearedAt !== null) fields.push([r.text(language, 'mail.field.cleared'), alert.clearedAt.toISOString()]);
  const text = [message, '', ...fields.map(([k, v]) => `${k}: ${v}`), '', r.text(language, 'mail.footer'), ''].join('\n');
  return { subject, text };
}

export function composeTestMail(r: Renderer, language: string, facts: { recipient: string; relay: string }): Mail {
  return {
    subject: r.text(language, 'mail.subject.test'),
    text: [r.text(language, 'alert.test', facts), '', r.text(language, 'mail.footer'), ''].join('\n'),
  };
}

/** Subjects are one line of at most 200 characters. */
function firstLine(s: string): string {
  const line = s.split(/\r?\n/)[0]!;
  return line.length > 200 ? `${line.slice(0, 199)}…` : line;
}
