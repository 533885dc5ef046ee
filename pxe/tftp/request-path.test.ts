import { describe, expect, it } from 'vitest';
import { checkRequestPath } from './request-path.js';

describe('checkRequestPath', () => {
  it.each([
    ['pxelinux.0', 'pxelinux.0'],
    ['pxelinux.cfg/01-52-54-00-12-34-56', 'pxelinux.cfg/01-52-54-00-12-34-56'],
    ['a//./b', 'a/b'],
    ['boot\\x86\\wdsnbp.com', 'boot/x86/wdsnbp.com'],
    ['..foo/bar..', '..foo/bar..'],
  ])('serves %j as %j', (raw, relative) => {
    expect(checkRequestPath(raw)).toMatchObject({ kind: 'ok', relative });
  });

  it.each([
    ['../etc/passwd', 'traversal'],
    ['a/../../b', 'traversal'],
    ['a/..', 'traversal'],
    ['..\\..\\windows', 'traversal'],
    ['/etc/passwd', 'absolute-path'],
    ['\\etc\\passwd', 'absolute-path'],
    ['//etc/passwd', 'absolute-path'],
    ['a\0b', 'nul-byte'],
    ['x'.repeat(256), 'name-too-long'],
    [`${'d/'.repeat(600)}f`, 'name-too-long'],
    ['.', 'invalid-name'],
    ['./', 'invalid-name'],
  ])('refuses %j (%s)', (raw, reason) => {
    expect(checkRequestPath(raw)).toMatchObject({ kind: 'refused', reason });
  });

  it('serves root-relative paths when configured, still refusing traversal', () => {
    expect(checkRequestPath('/pxelinux.cfg/default', { absolutePaths: 'root-relative' })).toMatchObject({ kind: 'ok', relative: 'pxelinux.cfg/default' });
    expect(checkRequestPath('/../etc/passwd', { absolutePaths: 'root-relative' })).toMatchObject({ kind: 'refused', reason: 'traversal' });
  });

  it('counts UTF-8 bytes, not characters', () => {
    expect(checkRequestPath('é'.repeat(128))).toMatchObject({ kind: 'refused', reason: 'name-too-long' });
    expect(checkRequestPath('é'.repeat(127))).toMatchObject({ kind: 'ok' });
  });
});
