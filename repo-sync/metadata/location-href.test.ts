import { describe, expect, it } from 'vitest';
import { checkLocationHref } from './location-href.js';

describe('checkLocationHref', () => {
  it.each([
    ['Packages/a/alpha-1.0-1.noarch.rpm', 'Packages/a/alpha-1.0-1.noarch.rpm'],
    ['./Packages/x.rpm', 'Packages/x.rpm'],
    ['repodata/abc-primary.xml.gz', 'repodata/abc-primary.xml.gz'],
    ['weird..name.rpm', 'weird..name.rpm'],
  ])('accepts %s', (href, normalized) => {
    expect(checkLocationHref(href)).toBe(normalized);
  });

  it.each([
    ['', 'it is empty'],
    ['../x.rpm', "it contains a '..' segment"],
    ['Packages/../../x.rpm', "it contains a '..' segment"],
    ['/etc/passwd', 'it is an absolute path'],
    ['http://evil/x.rpm', 'it is a URL with a scheme'],
    ['file:///etc/passwd', 'it is a URL with a scheme'],
    ['C:x.rpm', 'it is a URL with a scheme'],
    ['Packages\\..\\x.rpm', 'it contains a backslash'],
    ['Packages/x\u0000.rpm', 'it contains control characters'],
    ['Packages//x.rpm', 'it contains an empty segment'],
    ['Packages/', 'it names a directory'],
  ])('refuses %j (%s)', (href, reason) => {
    expect(() => checkLocationHref(href)).toThrow(reason);
    try { checkLocationHref(href); } catch (e) { expect((e as { code: string }).code).toBe('REPO_VERIFY_FAILED'); }
  });
});
