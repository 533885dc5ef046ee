import { describe, expect, it } from 'vitest';
import { statusOf, type CheckProblem } from './preboot-check.js';

const problem = (source: CheckProblem['source'], severity: CheckProblem['severity']): CheckProblem => ({ source, severity, line: 3, message: `${severity}: x` });

describe('pre-boot check verdict', () => {
  it.each([
    ['no problem', [], 'ready'],
    ['lint warnings only', [problem('lint', 'warning'), problem('disk', 'warning')], 'ready'],
    ['a lint error in the kickstart', [problem('lint', 'warning'), problem('lint', 'error')], 'failed'],
    ['a lint error in a partition include', [problem('disk', 'error')], 'failed'],
    ['a package problem', [problem('packages', 'error')], 'failed'],
  ] as [string, CheckProblem[], string][])('%s → %s', (_name, problems, status) => {
    expect(statusOf(problems)).toBe(status);
  });
});
