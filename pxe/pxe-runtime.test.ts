import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify from 'fastify';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { MemoryTimeline } from './boot/timeline.js';
import { parsePxeConfig } from './pxe-config.js';
import { PxeRuntime, type PxeRuntimeDeps } from './pxe-runtime.js';
import { withPxeSettings } from './pxe-settings.js';

const dir = mkdtempSync(join(tmpdir(), 'pxe-runtime-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** DHCP and TFTP on loopback at unprivileged ports, answering without SO_BINDTODEVICE. */
const base = parsePxeConfig({
  dhcp: { interfaceBinding: 'none', ports: { server: 16767, client: 16768, proxy: 14011 } },
  tftp: { port: 0 },
  ipv6RouterAdvertisements: 'off',
}, 'http://127.0.0.1:8080');

const on = parsePxeConfig(withPxeSettings(base, { enabled: true, interface: 'lo', address: '127.0.0.1', subnet: '127.0.0.0/8', mode: 'full', rangeStart: '127.0.10.1', rangeEnd: '127.0.10.9' }), 'http://127.0.0.1:8080');

const deps: PxeRuntimeDeps = {
  dataDir: dir,
  logger: pino({ level: 'silent' }),
  timeline: new MemoryTimeline(),
  httpUrl: (c) => `http://${c.address ?? '127.0.0.1'}:8080`,
  facts: { machine: async () => undefined, kickstart: async () => undefined },
  kickstartPath: (h) => `/ks/${h}.ks`,
};

describe('PxeRuntime', () => {
  it('switches PXE on, onto another configuration and off in process, the boot routes following', async () => {
    const runtime = await PxeRuntime.start(deps, base);
    const app = Fastify();
    await app.register(runtime.plugin());
    await app.ready();
    try {
      expect(runtime.status()).toEqual({ enabled: false });
      const off = await app.inject({ url: '/boot/grub/grub.cfg' });
      expect(off.statusCode).toBe(404);
      expect(off.body).toContain('PXE boot services are off');

      await runtime.apply(on);
      expect(runtime.status()).toMatchObject({ enabled: true, interface: 'lo', address: '127.0.0.1' });
      expect(runtime.ports().dhcp).toBe(16767);
      const served = await app.inject({ url: '/boot/grub/grub.cfg' });
      expect(served.statusCode).toBe(200);
      expect(served.body).toContain('(http,127.0.0.1:8080)/boot/grub/grub.cfg-01-');

      // An interface that does not exist: refused, and the running configuration stays.
      await expect(runtime.apply({ ...on, interface: 'h1-missing0' })).rejects.toThrow(/h1-missing0 does not exist/);
      expect(runtime.status()).toMatchObject({ enabled: true, interface: 'lo' });
      expect(runtime.config.interface).toBe('lo');
      expect((await app.inject({ url: '/boot/grub/grub.cfg' })).statusCode).toBe(200);

      await runtime.apply(base);
      expect(runtime.status()).toEqual({ enabled: false });
      expect((await app.inject({ url: '/boot/grub/grub.cfg' })).statusCode).toBe(404);
    } finally {
      await app.close();
      await runtime.close();
    }
  });
});
