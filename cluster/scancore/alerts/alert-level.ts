/**
 * Alert levels, most severe first. A recipient's level is a threshold: it receives every alert at
 * that level or more severe; 'none' receives nothing.
 */
export const ALERT_LEVELS = ['critical', 'warning', 'notice', 'info'] as const;
export type AlertLevel = (typeof ALERT_LEVELS)[number];

export const RECIPIENT_LEVELS = [...ALERT_LEVELS, 'none'] as const;
export type RecipientLevel = (typeof RECIPIENT_LEVELS)[number];

/** 0 for critical, rising as severity falls; 'none' ranks below every level. */
export function severityRank(level: RecipientLevel): number {
  return RECIPIENT_LEVELS.indexOf(level);
}

/** Whether an alert at `alert` reaches a recipient whose threshold is `threshold`. */
export function levelReaches(alert: AlertLevel, threshold: RecipientLevel): boolean {
  return threshold !== 'none' && severityRank(alert) <= severityRank(threshold);
}
