import { describe, expect, it } from 'vitest';
import { defaultAlertsSettings } from './alerts/index.js';
import { parseScancoreConfig } from './scancore-config.js';

describe('ScanCore configuration: the alerts settings', () => {
  it('defaults to the alerts area defaults (a 30 s hold window)', () => {
    expect(parseScancoreConfig({}).alerts).toEqual(defaultAlertsSettings);
    expect(parseScancoreConfig({}).alerts.holdSeconds).toBe(30);
  });

  it('takes a shorter hold window, or none', () => {
    expect(parseScancoreConfig({ alerts: { holdSeconds: 2 } }).alerts).toEqual({ holdSeconds: 2, smtpTimeoutSeconds: 15 });
    expect(parseScancoreConfig({ alerts: { holdSeconds: 0 } }).alerts.holdSeconds).toBe(0);
  });

  it('names the key of a bad setting', () => {
    expect(() => parseScancoreConfig({ alerts: { holdSeconds: -1 } })).toThrow(/scancore\.alerts\.holdSeconds/);
    expect(() => parseScancoreConfig({ alerts: { holdSeconds: 1.5 } })).toThrow(/scancore\.alerts\.holdSeconds/);
    expect(() => parseScancoreConfig({ alerts: { smtpTimeoutSeconds: 0 } })).toThrow(/scancore\.alerts\.smtpTimeoutSeconds/);
    expect(() => parseScancoreConfig({ alerts: { hold: 1 } })).toThrow(/scancore\.alerts\.hold/);
  });
});
