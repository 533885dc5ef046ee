/**
 * The alerts area as `striker serve` carries it: its routes, the delivery job kind, and a timer
 * that releases what the de-bounce held once its window has passed. `raise` and `clear` are what
 * ScanCore and other areas are handed.
 */
import type { FastifyInstance } from 'fastify';
import type { JobKindDefinition } from '../../../striker/jobs/job-kind.js';
import { deliverJobKind } from './alert-delivery.js';
import { alertRoutes } from './alert-routes.js';
import type { AlertsDeps } from './alerts-deps.js';
import { clearAlert, flushHeldAlerts, raiseAlert, type AlertChange, type ClearAlert, type RaiseAlert } from './raise-alert.js';

export interface AlertsArea {
  deps: AlertsDeps;
  jobKinds: JobKindDefinition[];
  plugin(app: FastifyInstance): void;
  raise(alert: RaiseAlert): Promise<AlertChange>;
  clear(alert: ClearAlert): Promise<AlertChange>;
  /** Starts the timer that sends held sets and clears. */
  start(): void;
  stop(): void;
}

/** How often held alerts are looked at (a fraction of the hold window, at least every second). */
function flushEveryMs(holdSeconds: number): number {
  return Math.max(1000, Math.min(10_000, (holdSeconds * 1000) / 4));
}

export function alertsArea(deps: AlertsDeps): AlertsArea {
  let timer: NodeJS.Timeout | undefined;
  let running = false;
  const flush = async () => {
    if (running) return;
    running = true;
    try {
      await flushHeldAlerts(deps);
    } catch (error) {
      deps.logger.error({ err: error }, 'held alerts could not be sent');
    } finally {
      running = false;
    }
  };
  return {
    deps,
    jobKinds: [deliverJobKind(deps)],
    plugin: (app) => alertRoutes(app, deps),
    raise: (alert) => raiseAlert(deps, alert),
    clear: (alert) => clearAlert(deps, alert),
    start() {
      if (timer !== undefined || deps.settings.holdSeconds <= 0) return;
      timer = setInterval(() => void flush(), flushEveryMs(deps.settings.holdSeconds));
      timer.unref();
    },
    stop() {
      if (timer !== undefined) clearInterval(timer);
      timer = undefined;
    },
  };
}
