/**
 * `striker serve` and `striker manifest` as built: a manifest applied from YAML is stored with its
 * secrets sealed, and the API shows them only as { set }; a Striker whose keyring file is replaced
 * by another keyring, or made readable by others, refuses to start with a message that says what
 * is wrong and what to do; with its own keyring back it starts and exports the same document.
 */
import { chmodSync, copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keyringPath, siteKeys } from '../../striker/core/secrets/index.js';
import { sampleMachines, sampleManifest } from '../../striker/manifest/index.js';
import { freePort, runStriker, startServeAsAdmin, startServeOnLoopback, type AdminServe } from '../support/striker-process.js';

const plaintexts = ['cluster-secret', 'bmc-secret-1', 'bmc-secret-2', 'pdu-secret', 'ups-secret'];
let dir: string;
let env: Record<string, string>;
let serve: AdminServe | undefined;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'striker-manifest-e2e-'));
  env = { STRIKER_DATA_DIR: join(dir, 'var'), STRIKER_DATABASE__EMBEDDED_PORT: String(await freePort()) };
}, 30_000);

afterAll(async () => {
  await serve?.striker.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('manifest secrets and the site keyring, as built', () => {
  let exported = '';

  it('applies a YAML manifest through the CLI; the API never shows a secret', async () => {
    serve = await startServeAsAdmin(env, 'a decent admin password');
    for (const m of sampleMachines) {
      const set = await runStriker(['machines', 'set', m.mac, '--role', m.role!], env);
      expect(set.code, set.stderr).toBe(0);
    }
    const file = join(dir, 'an-anvil-01.yaml');
    writeFileSync(file, stringify(sampleManifest()));
    const applied = await runStriker(['--json', 'manifest', 'apply', file], env);
    expect(applied.code, applied.stderr).toBe(0);
    const { id } = JSON.parse(applied.stdout) as { id: string };
    for (const url of [`/api/manifests/${id}`, `/api/manifests/${id}/plan`, `/api/manifests/${id}/export`, '/api/manifests']) {
      const res = await fetch(`${serve.striker.url}${url}`, { headers: serve.headers });
      expect(res.status, url).toBe(200);
      const text = await res.text();
      for (const p of plaintexts) expect(text, url).not.toContain(p);
      if (url.endsWith('/export')) exported = text;
    }
    expect(exported).toContain('clusterPassword:\n  set: true');
    expect(await serve.striker.stop()).toBe(0);
    serve = undefined;
  }, 240_000);

  it('refuses to start with another keyring, naming the missing key and what it sealed', async () => {
    const own = join(dir, 'own-site-keys.json');
    copyFileSync(keyringPath(env.STRIKER_DATA_DIR!), own);
    const other = mkdtempSync(join(tmpdir(), 'striker-other-keys-'));
    try {
      siteKeys(other).keyring();
      copyFileSync(keyringPath(other), keyringPath(env.STRIKER_DATA_DIR!));
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
    const r = await runStriker(['serve'], { ...env, STRIKER_HTTP__HOST: '127.0.0.1', STRIKER_HTTP__PORT: String(await freePort()) }, undefined, 180_000);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/striker: the site keyring \S+site-keys\.json does not hold the keys this Striker's secrets were sealed with \(key k[0-9a-f]{12} sealed 1 secret\(s\) in manifest_secrets\.secrets\); put back the keyring file this Striker had/);
    copyFileSync(own, keyringPath(env.STRIKER_DATA_DIR!));
  }, 240_000);

  it('refuses to start with a keyring file others can read, saying to make it 0600', async () => {
    chmodSync(keyringPath(env.STRIKER_DATA_DIR!), 0o644);
    const r = await runStriker(['serve'], { ...env, STRIKER_HTTP__HOST: '127.0.0.1', STRIKER_HTTP__PORT: String(await freePort()) }, undefined, 180_000);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/site-keys\.json is readable by other users \(mode 644\); make it 0600 \(chmod 600\) before starting Striker/);
    chmodSync(keyringPath(env.STRIKER_DATA_DIR!), 0o600);
  }, 240_000);

  it('starts again with its own keyring and exports the same document', async () => {
    const striker = await startServeOnLoopback(env);
    try {
      const login = await fetch(`${striker.url}/api/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: 'a decent admin password' }) });
      expect(login.status).toBe(200);
      const cookie = login.headers.getSetCookie()[0]!.split(';')[0]!;
      const list = (await (await fetch(`${striker.url}/api/manifests`, { headers: { cookie } })).json()) as { manifests: { id: string }[] };
      const again = await fetch(`${striker.url}/api/manifests/${list.manifests[0]!.id}/export`, { headers: { cookie } });
      expect(await again.text()).toBe(exported);
    } finally {
      expect(await striker.stop()).toBe(0);
    }
  }, 240_000);
});
