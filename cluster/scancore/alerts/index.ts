/**
 * Alerts: levels, recipients with per-host overrides, SMTP relays with failover, de-bounced set
 * and clear e-mails from per-language templates, the history and its API. ScanCore and other
 * areas raise and clear conditions with `raiseAlert` / `clearAlert` (or the area's `raise` /
 * `clear`, which carry the deps).
 */
export { ALERT_LEVELS, RECIPIENT_LEVELS, levelReaches, type AlertLevel, type RecipientLevel } from './alert-level.js';
export { alertsArea, type AlertsArea } from './alerts-area.js';
export { defaultAlertsSettings, type AlertsDeps, type AlertsSettings } from './alerts-deps.js';
export { alertSecrets, openConditions, type RecipientRow } from './alert-store.js';
export { DELIVER_KIND } from './alert-delivery.js';
export { clearAlert, flushHeldAlerts, raiseAlert, type AlertChange, type ClearAlert, type RaiseAlert } from './raise-alert.js';
export { renderer, type Renderer } from './render-message.js';
export { catalogues, english, languageChoices, shippedLanguages, type Catalogue } from './message-catalogue.js';
export {
  acknowledgeAlert,
  addMailServer,
  addRecipient,
  alertHistory,
  changeMailServer,
  changeRecipient,
  listAlertMailServers,
  listAlertRecipients,
  removeMailServer,
  removeRecipient,
  sendTestEmail,
  type AlertHistory,
  type AlertView,
  type MailServerView,
  type TestEmailResult,
} from './actions.js';
