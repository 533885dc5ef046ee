import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify from 'fastify';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import type { BootKickstart, BootMachine } from '../boot/boot-plan.js';
import { MemoryTimeline } from '../boot/timeline.js';
import { VirtualFiles } from '../tftp/virtual-files.js';
import { BootResolver, type BootFacts } from './boot-resolver.js';
import { bootRoutes, createBootRouteCounters } from './boot-routes.js';
import { bootFileOf, tftpBootFiles } from './tftp-boot-files.js';

const logger = pino({ level: 'silent' });
const known = '52:54:00:00:00:01';
const failed = '52:54:00:00:00:02';
const machines = new Map<string, BootMachine>([
  [known, { mac: known, role: 'node', state: 'assigned', hostname: 'n1' }],
  [failed, { mac: failed, role: 'node', state: 'assigned', hostname: 'n2' }],
]);
const kickstarts = new Map<string, BootKickstart>([
  ['n1', { hostId: 'n1', check: { status: 'ready' } }],
  ['n2', { hostId: 'n2', check: { status: 'failed', problems: ['package nope is in no repository'] } }],
]);
const facts: BootFacts = {
  machine: async (mac) => machines.get(mac),
  kickstart: async (m) => kickstarts.get(m.hostname ?? ''),
};

function setup(f: BootFacts = facts) {
  const timeline = new MemoryTimeline();
  const resolver = new BootResolver({
    facts: f,
    unknown: 'discovery',
    discoveryRetrySeconds: 5,
    urls: { strikerUrl: 'http://10.9.0.1:8080', tree: { url: 'http://10.9.0.1:8080/trees/t', kernel: 'vmlinuz', initrd: 'initrd.img', stage2: false }, kernelArgs: [], kickstartPath: (h) => `/ks/${h}.ks` },
  });
  const dir = mkdtempSync(join(tmpdir(), 'stk-boot-routes-'));
  writeFileSync(join(dir, 'ipxe.efi'), Buffer.alloc(1000, 7));
  const counters = createBootRouteCounters();
  const app = Fastify();
  const loaders = new Map([['ipxe.efi', join(dir, 'ipxe.efi')], ['snponly.efi', join(dir, 'gone.efi')]]);
  void app.register(bootRoutes({ resolver, timeline, logger, strikerUrl: 'http://10.9.0.1:8080', loaders, counters, macOfIp: () => known }));
  return { app, timeline, counters, resolver };
}

describe('boot routes', () => {
  it('serves a known machine its installer script, by path and by query, and records it', async () => {
    const { app, timeline } = setup();
    const byPath = await app.inject({ url: '/boot/ipxe/52-54-00-00-00-01' });
    expect(byPath.statusCode).toBe(200);
    expect(byPath.headers['cache-control']).toBe('no-store');
    expect(byPath.body).toContain('kernel http://10.9.0.1:8080/trees/t/vmlinuz initrd=initrd.img inst.ks=http://10.9.0.1:8080/ks/n1.ks');
    const byQuery = await app.inject({ url: '/boot/ipxe?mac=52:54:00:00:00:01' });
    expect(byQuery.body).toBe(byPath.body);
    expect(timeline.events).toHaveLength(2);
    expect(timeline.events[0]).toMatchObject({ step: 'http.file', mac: known, details: { file: 'boot/ipxe', outcome: 'ok', bytes: Buffer.byteLength(byPath.body), plan: { action: 'install', hostId: 'n1' } } });
  });

  it('never hands out a kickstart whose check failed; the timeline says why', async () => {
    const { app, timeline } = setup();
    const res = await app.inject({ url: `/boot/ipxe/${failed}` });
    expect(res.body).not.toContain('inst.ks');
    expect(res.body).toMatch(/\nexit\n$/);
    expect(timeline.events[0]!.details).toMatchObject({ plan: { action: 'local', reason: 'kickstart-check-failed', problems: ['package nope is in no repository'] } });
  });

  it('gives an unknown machine the discovery script', async () => {
    const { app } = setup();
    const res = await app.inject({ url: '/boot/ipxe/aa-bb-cc-dd-ee-ff' });
    expect(res.body).toContain('chain --autofree http://10.9.0.1:8080/boot/ipxe/aa-bb-cc-dd-ee-ff');
  });

  it.each(['/boot/ipxe/%24%7Bnet0%3Amac%7D', '/boot/ipxe?mac=', '/boot/ipxe', '/boot/ipxe/52:54:00:00:00', '/boot/grub/grub.cfg-0A090064', '/boot/loaders/undionly.kpxe', '/boot/loaders/..%2F..%2Fetc%2Fpasswd'])('404 for %s', async (url) => {
    const { app, counters, timeline } = setup();
    const res = await app.inject({ url });
    expect(res.statusCode).toBe(404);
    expect(counters.notFound).toBe(1);
    expect(timeline.events).toHaveLength(0);
  });

  it('serves GRUB configs per MAC and the dispatching grub.cfg', async () => {
    const { app } = setup();
    const dispatch = await app.inject({ url: '/boot/grub/grub.cfg' });
    expect(dispatch.body).toContain('configfile (http,10.9.0.1:8080)/boot/grub/grub.cfg-01-$net_default_mac');
    const own = await app.inject({ url: '/boot/grub/grub.cfg-01-52:54:00:00:00:01' });
    expect(own.body).toContain('linux (http,10.9.0.1:8080)/trees/t/vmlinuz inst.ks=');
    const probe = await app.inject({ url: '/boot/grub/http-probe' });
    expect([probe.statusCode, probe.body]).toEqual([200, 'set striker_http=y\nexport striker_http\n']);
  });

  it('a database failure is a 503 and a failed step, never a broken script', async () => {
    const { app, timeline, counters } = setup({ machine: async () => Promise.reject(new Error('db down')), kickstart: async () => undefined });
    const res = await app.inject({ url: `/boot/ipxe/${known}` });
    expect(res.statusCode).toBe(503);
    expect(counters.failed).toBe(1);
    expect(timeline.events[0]).toMatchObject({ step: 'http.file', details: { outcome: 'failed' } });
  });

  it('serves loaders with their size and records the bytes; a configured loader missing on disk is a clear 503', async () => {
    const { app, timeline, counters } = setup();
    const res = await app.inject({ url: '/boot/loaders/ipxe.efi' });
    expect(res.statusCode).toBe(200);
    expect(res.rawPayload.length).toBe(1000);
    expect(timeline.events[0]).toMatchObject({ step: 'http.file', mac: known, details: { file: 'boot/loaders/ipxe.efi', bytes: 1000 } });
    expect(counters.loaderBytes).toBe(1000);
    const gone = await app.inject({ url: '/boot/loaders/snponly.efi' });
    expect(gone.statusCode).toBe(503);
    expect(gone.body).toBe('loader snponly.efi is configured but missing\n');
  });

  it('sends a loader over a real socket byte-identical (sendfile when built), and answers HEAD with its size and no body', async () => {
    const { app, timeline } = setup();
    const base = await app.listen({ host: '127.0.0.1', port: 0 });
    try {
      const got = await fetch(`${base}/boot/loaders/ipxe.efi`);
      expect(got.status).toBe(200);
      expect(Buffer.from(await got.arrayBuffer()).equals(Buffer.alloc(1000, 7))).toBe(true);
      const head = await fetch(`${base}/boot/loaders/ipxe.efi`, { method: 'HEAD' });
      expect(head.status).toBe(200);
      expect(head.headers.get('content-length')).toBe('1000');
      expect((await head.arrayBuffer()).byteLength).toBe(0);
      await expect.poll(() => timeline.events.filter((e) => e.details['outcome'] === 'ok').length).toBe(2);
    } finally {
      await app.close();
    }
  });
});

describe('boot configs as virtual TFTP files', () => {
  it('names', () => {
    expect(bootFileOf('pxelinux.cfg/01-52-54-00-00-00-01')).toEqual({ format: 'pxelinux', mac: known });
    expect(bootFileOf('grub.cfg-01-52-54-00-00-00-01')).toEqual({ format: 'grub', mac: known });
    expect(bootFileOf('EFI/BOOT/grub.cfg-01-52-54-00-00-00-01')).toEqual({ format: 'grub', mac: known });
    expect(bootFileOf('ipxe/52:54:00:00:00:01.ipxe')).toEqual({ format: 'ipxe', mac: known });
    for (const other of ['pxelinux.cfg/default', 'pxelinux.cfg/0A090064', 'pxelinux.cfg/01-52-54-00-00-00', 'pxelinux.cfg/01-52-54-00:00:00-01', 'undionly.kpxe', 'grub.cfg']) expect(bootFileOf(other)).toBeUndefined();
  });

  it('renders pxelinux configs per request through VirtualFiles; others are missing', async () => {
    const { resolver } = setup();
    const timeline = new MemoryTimeline();
    const files = new VirtualFiles(tftpBootFiles({ resolver, timeline, logger, strikerUrl: 'http://10.9.0.1:8080' }));
    const peer = { address: '10.9.0.100', port: 2000 };
    const opened = await files.open('pxelinux.cfg/01-52-54-00-00-00-01', peer);
    expect(opened.kind).toBe('file');
    if (opened.kind !== 'file') return;
    const buf = new Uint8Array(opened.file.size);
    await opened.file.read([buf], 0);
    expect(new TextDecoder().decode(buf)).toContain('  KERNEL http://10.9.0.1:8080/trees/t/vmlinuz\n');
    expect(timeline.events[0]).toMatchObject({ step: 'tftp.transfer', mac: known, ip: '10.9.0.100', details: { outcome: 'rendered', plan: { action: 'install' } } });
    expect((await files.open('pxelinux.cfg/default', peer)).kind).toBe('missing');
    expect((await files.open('../pxelinux.cfg/01-52-54-00-00-00-01', peer)).kind).toBe('refused');
  });

  it("serves GRUB's generic grub.cfg (any prefix, e.g. Debian's /grub) as the dispatch to the per-MAC config over TFTP", async () => {
    const { resolver } = setup();
    const timeline = new MemoryTimeline();
    const files = new VirtualFiles(tftpBootFiles({ resolver, timeline, logger, strikerUrl: 'http://10.9.0.1:8080', tftpServer: '10.9.0.1' }), { absolutePaths: 'root-relative' });
    for (const path of ['/grub/grub.cfg', 'grub.cfg', 'EFI/BOOT/grub.cfg']) {
      const opened = await files.open(path, { address: '10.9.0.100', port: 2000 });
      expect(opened.kind, path).toBe('file');
      if (opened.kind !== 'file') continue;
      const buf = new Uint8Array(opened.file.size);
      await opened.file.read([buf], 0);
      expect(new TextDecoder().decode(buf)).toBe('# Striker: load this machine\'s own configuration\nconfigfile (tftp,10.9.0.1)/grub.cfg-01-$net_default_mac\n');
    }
    expect((await files.open('/grub/x86_64-efi/command.lst', { address: '10.9.0.100', port: 2000 })).kind).toBe('missing');
    expect(timeline.events).toEqual([]);
  });

  it('a lookup failure is a missing file, not a thrown error', async () => {
    const { resolver } = setup({ machine: async () => Promise.reject(new Error('db down')), kickstart: async () => undefined });
    const files = new VirtualFiles(tftpBootFiles({ resolver, timeline: new MemoryTimeline(), logger, strikerUrl: 'http://10.9.0.1:8080' }));
    expect((await files.open('pxelinux.cfg/01-52-54-00-00-00-01', { address: '10.9.0.100', port: 2000 })).kind).toBe('missing');
  });
});
