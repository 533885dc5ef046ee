import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../core/errors/index.js';
import { loadConfig } from './load-config.js';

function yamlFile(text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'striker-config-'));
  const file = join(dir, 'striker.yaml');
  writeFileSync(file, text);
  return file;
}

function problemsOf(fn: () => unknown): { path: string; message: string }[] {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return [...(error as ConfigError).problems];
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('applies defaults with no file and no environment', () => {
    const config = loadConfig({ env: {} });
    expect(config.dataDir).toBe('./var');
    expect(config.http.port).toBe(8080);
    expect(config.database.urls).toEqual([]);
    expect(Object.isFrozen(config.http)).toBe(true);
  });

  it('layers the file under STRIKER_* environment overrides', () => {
    const file = yamlFile('http:\n  port: 9000\n  host: 127.0.0.1\njobs:\n  workers: 4\n');
    const config = loadConfig({ file, env: { STRIKER_HTTP__PORT: '9100', STRIKER_DATA_DIR: '/srv/striker', STRIKER_DATABASE__URLS: '[postgres://a@h/db]' } });
    expect(config.http.port).toBe(9100);
    expect(config.http.host).toBe('127.0.0.1');
    expect(config.jobs.workers).toBe(4);
    expect(config.dataDir).toBe('/srv/striker');
    expect(config.database.urls).toEqual(['postgres://a@h/db']);
  });

  it('lists every problem with its key path', () => {
    const file = yamlFile('http:\n  port: "eighty"\n  colour: blue\ndatabase:\n  urls: [mysql://x]\nwhatever: 1\n');
    const problems = problemsOf(() => loadConfig({ file, env: { STRIKER_JOBS__WORKERS: '-3', STRIKER_NOPE: 'x' } }));
    const paths = problems.map((p) => p.path).sort();
    expect(paths).toEqual(['database.urls.0', 'http.colour', 'http.port', 'jobs.workers', 'nope', 'whatever']);
    expect(problems.find((p) => p.path === 'http.port')!.message).toContain("got 'eighty'");
    expect(problems.find((p) => p.path === 'whatever')!.message).toContain('not a known setting');
  });

  it('refuses PXE settings nothing reads (kickstart.urlTtlSeconds signs the kickstart URL)', () => {
    const file = yamlFile('pxe:\n  kickstartUrlTtlSeconds: 600\n  dhcp:\n    commit: {maxBatch: 64}\n  tftp:\n    enabled: true\n');
    const problems = problemsOf(() => loadConfig({ file, env: {} }));
    expect(problems.map((p) => p.path).sort()).toEqual(['pxe.dhcp.commit', 'pxe.kickstartUrlTtlSeconds', 'pxe.tftp.enabled']);
    for (const p of problems) expect(p.message).toContain('not a known setting');
  });

  it('reads pxe.tftp.nativeSockets (default true) and names a bad value', () => {
    expect(loadConfig({ env: {} }).pxe.tftp.nativeSockets).toBe(true);
    const off = loadConfig({ file: yamlFile('pxe:\n  tftp:\n    nativeSockets: false\n'), env: {} }).pxe.tftp;
    expect(off.nativeSockets).toBe(false);
    const problems = problemsOf(() => loadConfig({ file: yamlFile('pxe:\n  tftp:\n    nativeSockets: sometimes\n'), env: {} }));
    expect(problems.map((p) => p.path)).toEqual(['pxe.tftp.nativeSockets']);
  });

  it('reads pxe.tftp.thread (default worker) and names a bad value', () => {
    expect(loadConfig({ env: {} }).pxe.tftp.thread).toBe('worker');
    expect(loadConfig({ file: yamlFile('pxe:\n  tftp:\n    thread: main\n'), env: {} }).pxe.tftp.thread).toBe('main');
    const problems = problemsOf(() => loadConfig({ file: yamlFile('pxe:\n  tftp:\n    thread: both\n'), env: {} }));
    expect(problems.map((p) => p.path)).toEqual(['pxe.tftp.thread']);
  });

  it('reports unreadable and invalid YAML files', () => {
    expect(problemsOf(() => loadConfig({ file: '/nonexistent/striker.yaml', env: {} }))[0]!.message).toContain('ENOENT');
    const bad = yamlFile('http: [unclosed\n');
    expect(problemsOf(() => loadConfig({ file: bad, env: {} }))[0]!.message).toContain('not valid YAML');
    const scalar = yamlFile('just a string\n');
    expect(problemsOf(() => loadConfig({ file: scalar, env: {} }))[0]!.message).toContain('YAML mapping');
  });
});
