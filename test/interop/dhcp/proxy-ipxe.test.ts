/**
 * proxyDHCP with real firmware: QEMU (TCG) boots from the network with its iPXE option ROM on a
 * bridge where dnsmasq hands out addresses and Striker, in proxy mode, only boot information.
 * iPXE must take the address from dnsmasq, the boot URL from Striker (port 67 offer and port
 * 4011 request), and fetch that URL; then the VM is stopped.
 *
 *   stk-dhcp-px-hub: br0 ── tap0 (QEMU) ── h-s ── [s0 10.88.0.1] stk-dhcp-px-s (Striker proxy, HTTP :8080)
 *                        └─ h-d ── [d0 10.88.0.2] stk-dhcp-px-d (dnsmasq, addresses only)
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { must, NetnsLab, requireProgram } from '../../support/netns-dhcp.js';

const lab = new NetnsLab('px');
afterAll(async () => lab.destroy());

it('iPXE boots from a URL given by Striker in proxyDHCP mode, address from dnsmasq', async () => {
  for (const p of ['qemu-system-x86_64', 'dnsmasq']) requireProgram(p);
  const hub = lab.ns('hub');
  const s = lab.ns('s');
  const d = lab.ns('d');
  must(['ip', '-n', hub, 'link', 'add', 'br0', 'type', 'bridge']);
  must(['ip', '-n', hub, 'link', 'set', 'br0', 'up']);
  lab.link(hub, 'h-s', s, 's0', undefined, '10.88.0.1/24');
  lab.link(hub, 'h-d', d, 'd0', undefined, '10.88.0.2/24');
  must(['ip', '-n', hub, 'tuntap', 'add', 'tap0', 'mode', 'tap']);
  for (const port of ['h-s', 'h-d', 'tap0']) {
    must(['ip', '-n', hub, 'link', 'set', port, 'master', 'br0']);
    must(['ip', '-n', hub, 'link', 'set', port, 'up']);
  }
  const http = lab.spawn(s, [process.execPath, '-e', "require('http').createServer((q,r)=>{console.log('GET '+q.url);r.end('#!ipxe\\nshell\\n')}).listen(8080,'10.88.0.1',()=>console.log('listening'))"]);
  const requests: string[] = [];
  http.stdout!.on('data', (b: Buffer) => requests.push(b.toString()));
  lab.spawn(d, ['dnsmasq', '-k', '--conf-file=/dev/null', '--port=0', '--interface=d0', '--bind-interfaces', '--dhcp-range=10.88.0.100,10.88.0.150,255.255.255.0,1h', '--no-ping', `--dhcp-leasefile=${join(lab.dir, 'dnsmasq.leases')}`, `--pid-file=${join(lab.dir, 'dnsmasq.pid')}`]);
  const server = await lab.startStriker(s, {
    mode: 'proxy',
    interfaces: ['s0'],
    serverAddress: '10.88.0.1',
    boot: { 'ipxe-bios': 'http://{server}:8080/boot/{mac-}.ipxe' },
  });
  const qemu = lab.spawn(hub, ['qemu-system-x86_64', '-accel', 'tcg', '-machine', 'q35', '-m', '256', '-smp', '1', '-display', 'none', '-serial', 'null', '-monitor', 'none', '-no-reboot', '-boot', 'n', '-netdev', 'tap,id=n0,ifname=tap0,script=no,downscript=no', '-device', 'virtio-net-pci,netdev=n0,mac=52:54:00:77:02:20']);
  for (let i = 0; i < 900 && !requests.join('').includes('GET /boot/'); i++) await new Promise((r) => setTimeout(r, 100));
  qemu.kill('SIGKILL');
  const status = await server.status();
  expect(requests.join('')).toContain('GET /boot/52-54-00-77-02-20.ipxe');
  const proxied = status.events.filter((e) => e.step === 'dhcp.proxy' && e.mac === '52:54:00:77:02:20');
  expect(proxied.map((e) => e.details['type'])).toContain('DHCPOFFER');
  expect(proxied[0]?.details['firmware']).toBe('ipxe-bios');
  expect(status.leases).toEqual([]);
  expect(readFileSync(join(lab.dir, 'dnsmasq.leases'), 'utf8')).toMatch(/52:54:00:77:02:20 10\.88\.0\.1\d\d/);
  expect(status.counters.answered['DHCPACK'] ?? 0).toBe(status.events.filter((e) => e.step === 'dhcp.proxy' && e.details['type'] === 'DHCPACK').length);
  await server.stop();
}, 120_000);
