import { describe, expect, it } from 'vitest';
import { composeAlertMail, composeTestMail } from './compose-mail.js';
import { english, languageChoices, shippedLanguages } from './message-catalogue.js';
import { fill, renderer } from './render-message.js';
import { selectRecipients, thresholdFor, type Recipient } from './recipient-selection.js';

const withFrench = renderer({ en: english, fr: { 'scancore.link.down': 'Le lien {link} est coupé.', 'mail.level.warning': 'Avertissement' } });

describe('message templates', () => {
  it.each([
    ['en', 'scancore.link.down', { link: 'bcn1_link1' }, 'Network link bcn1_link1 is down.'],
    ['fr', 'scancore.link.down', { link: 'bcn1_link1' }, 'Le lien bcn1_link1 est coupé.'],
    ['fr-CA', 'scancore.link.down', { link: 'sn1' }, 'Le lien sn1 est coupé.'],
    ['fr', 'scancore.link.up', { link: 'sn1' }, 'Network link sn1 is up again.'],
    ['de', 'scancore.ups.on_mains', { ups: 'ups1' }, 'UPS ups1 is back on mains power.'],
    ['en', 'scancore.no_such_key', { a: 1, b: 'x' }, '[scancore.no_such_key: a=1, b=x]'],
    ['fr', 'scancore.no_such_key', {}, '[scancore.no_such_key]'],
    ['en', 'scancore.ipmi.fan_failed', { sensor: 'FAN1' }, 'Fan FAN1 has failed ({value} RPM, minimum {minimum} RPM).'],
  ])('%s %s', (language, key, vars, expected) => {
    expect(withFrench.text(language, key, vars)).toBe(expected);
  });

  it('fills only names that were given and leaves other braces alone', () => {
    expect(fill('{a} {b} {not a name} {a}', { a: 'x', b: 0 })).toBe('x 0 {not a name} x');
    expect(fill('{toString}', {})).toBe('{toString}');
  });

  it('offers each shipped language by its own name (the recipient input accepts exactly these)', () => {
    expect(languageChoices()).toEqual([{ tag: 'en', name: 'English' }]);
    expect(languageChoices().map((l) => l.tag)).toEqual(shippedLanguages());
    expect(languageChoices({ en: english, fr: { 'language.name': 'Français' }, de: {} })).toEqual([
      { tag: 'de', name: 'de' }, { tag: 'en', name: 'English' }, { tag: 'fr', name: 'Français' },
    ]);
  });

  it('every English template names only plain variables', () => {
    for (const [key, t] of Object.entries(english)) {
      for (const m of t.matchAll(/\{([^}]*)\}/g)) expect(m[1], key).toMatch(/^[A-Za-z_][A-Za-z0-9_]*$/);
    }
  });
});

describe('composed e-mails', () => {
  const alert = {
    source: 'scancore.ipmi',
    host: 'an-a01n01',
    level: 'warning' as const,
    messageKey: 'scancore.ipmi.fan_failed',
    variables: { sensor: 'FAN2', value: 0, minimum: 1200 },
    clearMessageKey: 'scancore.ipmi.fan_restored',
    clearVariables: { sensor: 'FAN2', value: 5400 },
    raisedAt: new Date('2026-01-01T00:00:00Z'),
    clearedAt: new Date('2026-01-01T01:00:00Z'),
  };

  it('a set names the level, host and message', () => {
    const mail = composeAlertMail(renderer(), 'en', 'set', alert);
    expect(mail.subject).toBe('[Warning] an-a01n01: Fan FAN2 has failed (0 RPM, minimum 1200 RPM).');
    expect(mail.text).toContain('Level: Warning\nHost: an-a01n01\nSource: scancore.ipmi\nRaised at: 2026-01-01T00:00:00.000Z');
    expect(mail.text).not.toContain('Cleared at');
  });

  it('a clear uses the clear message and says when', () => {
    const mail = composeAlertMail(withFrench, 'fr', 'clear', alert);
    expect(mail.subject).toBe('[Cleared] an-a01n01: Fan FAN2 is working again (5400 RPM).');
    expect(mail.text).toContain('Level: Avertissement');
    expect(mail.text).toContain('Cleared at: 2026-01-01T01:00:00.000Z');
  });

  it('a test e-mail names the recipient and relay', () => {
    const mail = composeTestMail(renderer(), 'en', { recipient: 'ops@example.lan', relay: 'smtp.example.lan:587' });
    expect(mail.subject).toBe('Striker test e-mail');
    expect(mail.text).toMatch(/^This is a test e-mail from Striker, sent to ops@example.lan through smtp.example.lan:587\./);
  });
});

describe('recipient selection', () => {
  const r = (id: string, level: Recipient['level'], overrides: Recipient['overrides'] = []): Recipient => ({ id, email: `${id}@x.lan`, language: 'en', level, overrides });
  const recipients = [
    r('boss', 'critical'),
    r('ops', 'warning', [{ host: 'an-a01n02', level: 'info' }]),
    r('noisy', 'info', [{ host: 'an-a01n01', level: 'none' }]),
    r('off', 'none', [{ host: 'an-a01n01', level: 'critical' }]),
  ];

  it.each([
    ['critical', 'an-a01n01', ['boss', 'ops', 'off']],
    ['critical', 'an-a01n02', ['boss', 'ops', 'noisy']],
    ['warning', 'an-a01n01', ['ops']],
    ['warning', 'an-a01n02', ['ops', 'noisy']],
    ['notice', 'an-a01n02', ['ops', 'noisy']],
    ['info', 'an-a01n01', []],
    ['info', 'an-a01n03', ['noisy']],
  ] as const)('%s on %s', (level, host, ids) => {
    expect(selectRecipients(recipients, { level, host }).map((x) => x.id)).toEqual(ids);
  });

  it('an override applies to its host only', () => {
    expect(thresholdFor(recipients[1]!, 'an-a01n02')).toBe('info');
    expect(thresholdFor(recipients[1]!, 'an-a01n01')).toBe('warning');
  });
});
