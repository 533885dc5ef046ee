import { describe, expect, it } from 'vitest';
import { renderDrbdGlobalCommon } from './drbd-global-plan.js';

describe('renderDrbdGlobalCommon', () => {
  it('names both handlers, quoted', () => {
    const text = renderDrbdGlobalCommon({ fencePeerCommand: '/opt/x fence', unfencePeerCommand: '/opt/x unfence' });
    expect(text).toContain('        fence-peer "/opt/x fence";\n');
    expect(text).toContain('        unfence-peer "/opt/x unfence";\n');
  });

  it('escapes quotes in a handler command', () => {
    expect(renderDrbdGlobalCommon({ fencePeerCommand: '/opt/x "a b"' })).toContain('fence-peer "/opt/x \\"a b\\"";');
  });

  it.each([0, 601, 1.5])('refuses a net timeout of %s', (timeoutDeciseconds) => {
    expect(() => renderDrbdGlobalCommon({ timeoutDeciseconds })).toThrow(/timeoutDeciseconds must be a whole number 1–600/);
  });
});
