import { describe, expect, it } from 'vitest';
import { loadConfig } from './load-config.js';
import { publicHostNames } from './public-host-names.js';

describe('publicHostNames', () => {
  it('is empty with the defaults (wildcard listen, no URLs): localhost and IP literals are implied', () => {
    expect(publicHostNames(loadConfig({ env: {} }))).toEqual([]);
  });

  it('takes allowedHosts, the hosts of publicUrl and pxe.httpUrl, and a named listen host', () => {
    const config = loadConfig({
      env: {
        STRIKER_HTTP__ALLOWED_HOSTS: '[Striker1.example.com]',
        STRIKER_HTTP__PUBLIC_URL: 'https://striker.lab.example:8443/',
        STRIKER_HTTP__HOST: 'striker-bcn',
        STRIKER_PXE__HTTP_URL: 'http://boot.lab.example:8080',
      },
    });
    expect(publicHostNames(config).sort()).toEqual(['boot.lab.example', 'striker-bcn', 'striker.lab.example', 'striker1.example.com']);
  });

  it('refuses a host name with a port or a path, and setup addresses that are not IPv4', () => {
    expect(() => loadConfig({ env: { STRIKER_HTTP__ALLOWED_HOSTS: '["striker1:8080"]' } })).toThrow(/http.allowedHosts.0.*host name/s);
    expect(() => loadConfig({ env: { STRIKER_AUTH__SETUP_ADDRESSES: '[10.1.0.1/8]' } })).toThrow(/auth.setupAddresses.0.*IPv4/s);
  });
});
