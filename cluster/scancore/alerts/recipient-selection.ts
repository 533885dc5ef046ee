/**
 * Who receives an alert: each recipient whose threshold (their own level, or their override for
 * the alert's host) the alert's level reaches.
 */
import { levelReaches, type AlertLevel, type RecipientLevel } from './alert-level.js';

export interface Recipient {
  id: string;
  email: string;
  language: string;
  level: RecipientLevel;
  overrides: readonly { host: string; level: RecipientLevel }[];
}

/** A recipient's threshold for alerts about `host`. */
export function thresholdFor(recipient: Recipient, host: string): RecipientLevel {
  return recipient.overrides.find((o) => o.host === host)?.level ?? recipient.level;
}

export function selectRecipients<R extends Recipient>(recipients: readonly R[], alert: { level: AlertLevel; host: string }): R[] {
  return recipients.filter((r) => levelReaches(alert.level, thresholdFor(r, alert.host)));
}
