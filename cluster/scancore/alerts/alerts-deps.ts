/**
 * What the alerts area needs from the app: the database, the site keys that open relay
 * passwords, a clock, and its settings.
 */
import type { Logger } from 'pino';
import type { Clock } from '../../../striker/core/clock.js';
import type { SiteKeys } from '../../../striker/core/secrets/index.js';
import type { Database } from '../../../striker/db/database.js';
import type { Renderer } from './render-message.js';

export interface AlertsSettings {
  /** How long a set or a clear is held before it is sent (a flap inside it sends nothing); 0 sends at once. */
  holdSeconds: number;
  /** Per SMTP relay: seconds to connect, to get the greeting, and of silence. */
  smtpTimeoutSeconds: number;
}

/** The defaults of `scancore.alerts` in striker.yaml (scancore-config.ts), where the app reads them. */
export const defaultAlertsSettings: AlertsSettings = Object.freeze({ holdSeconds: 30, smtpTimeoutSeconds: 15 });

export interface AlertsDeps {
  db: Database;
  keys: SiteKeys;
  clock: Clock;
  settings: AlertsSettings;
  renderer: Renderer;
  logger: Logger;
}
