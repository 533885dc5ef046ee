import { describe, expect, it } from 'vitest';
import { passwordWeakness } from './password-policy.js';

describe('passwordWeakness', () => {
  it.each([
    ['qwertyuiop', /list of common passwords/],
    ['1234567890', /list of common passwords/],
    ['Password123', /list of common passwords/],
    ['Password1!', /too easy to guess \(strength [0-2] of 4/],
    ['aaaaaaaaaaaa', /too easy to guess.*Repeated/],
    ['striker2024!', /too easy to guess/],
  ])('refuses %s', (password, why) => {
    expect(passwordWeakness(password, ['ops', ''])).toMatch(why);
  });

  it("counts the user's own name and display name as easy guesses", () => {
    expect(passwordWeakness('Quintessa Marlowe', [])).toBeUndefined();
    expect(passwordWeakness('Quintessa Marlowe', ['qm', 'Quintessa Marlowe'])).toMatch(/too easy to guess/);
  });

  it.each(['correct horse battery', 'violet ferry knob tundra', 'plinth-quasar-mauve-41'])('accepts %s', (password) => {
    expect(passwordWeakness(password, ['ada', 'Ada Lovelace'])).toBeUndefined();
  });

  it('never quotes the password in its reason', () => {
    for (const password of ['Password1!', 'zxzxzxzxzxzx', 'aaaaaaaaaaaa', 'qwertyuiop']) {
      const why = passwordWeakness(password, ['ada', 'Ada Lovelace']);
      expect(why).toBeDefined();
      expect(why!.toLowerCase()).not.toContain(password.toLowerCase());
    }
  });
});
