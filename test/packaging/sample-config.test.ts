/**
 * The `/etc/striker/striker.yaml` the striker RPM ships is valid for `striker serve`: loaded with
 * the real loader and schema, it names the system PostgreSQL and the installed agent package.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../striker/app/config/load-config.js';
import { defaultOwnPackagesDir } from '../../striker/app/areas.js';
import { ConfigError } from '../../striker/core/errors/index.js';

const sample = fileURLToPath(new URL('../../scripts/packaging/striker.yaml', import.meta.url));

describe('the sample /etc/striker/striker.yaml', () => {
  it('loads with the real configuration loader', () => {
    const config = loadConfig({ file: sample, env: {} });
    expect(config.dataDir).toBe('/var/lib/striker');
    expect(config.database.urls).toEqual(['postgres://striker@/striker?host=/run/postgresql']);
    expect(config.repos.ownPackagesDir).toBe('/usr/share/striker/rpms');
    expect(config.pxe.enabled).toBe(false);
  });

  it('is checked by the loader: a wrong key in it is refused with its path', () => {
    const dir = mkdtempSync(join(tmpdir(), 'striker-sample-'));
    const broken = join(dir, 'striker.yaml');
    writeFileSync(broken, readFileSync(sample, 'utf8').replace('ownPackagesDir: /usr/share/striker/rpms', 'ownPackagesDir: usr/share/striker/rpms'));
    try {
      loadConfig({ file: broken, env: {} });
      expect.unreachable('the loader accepted a relative ownPackagesDir');
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).problems).toEqual([expect.objectContaining({ path: 'repos.ownPackagesDir', message: expect.stringContaining('must be an absolute path') })]);
    }
  });

  it('refuses a configured repo named striker, the repo of Striker\'s own packages', () => {
    const problems = (() => {
      try {
        loadConfig({ file: sample, env: { STRIKER_REPOS__REPOS: '[{name: striker, source: {kind: directory, path: /srv/x}}]' } });
      } catch (error) {
        return (error as ConfigError).problems;
      }
      return [];
    })();
    expect(problems).toEqual([expect.objectContaining({ path: 'repos.repos.0.name', message: expect.stringContaining("Striker's own packages") })]);
  });

  it('defaults the own packages to dist/rpms in a checkout and /usr/share/striker/rpms when installed under /usr', () => {
    expect(defaultOwnPackagesDir('/usr/lib/striker')).toBe('/usr/share/striker/rpms');
    expect(defaultOwnPackagesDir('/home/dev/striker')).toBe('/home/dev/striker/dist/rpms');
  });
});
