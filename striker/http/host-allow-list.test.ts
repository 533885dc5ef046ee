import { describe, expect, it } from 'vitest';
import { HostAllowList, hostNameOf } from './host-allow-list.js';

describe('HostAllowList', () => {
  const hosts = new HostAllowList(['striker1.example.com', 'Striker1']);

  it.each([
    ['localhost:8080', true],
    ['striker1.example.com', true],
    ['STRIKER1.example.com:8443', true],
    ['striker1', true],
    ['10.201.4.1:8080', true],
    ['127.0.0.1', true],
    ['[::1]:8080', true],
    ['evil.example.net', false],
    ['striker1.example.com.evil.net', false],
    ['localhost.evil.net', false],
    ['striker1.example.com@evil.net', false],
    ['evil.net/striker1.example.com', false],
    ['', false],
  ])('Host %s → %s', (header, allowed) => {
    expect(hosts.allowsHost(header)).toBe(allowed);
  });

  it('refuses a missing Host', () => {
    expect(hosts.allowsHost(undefined)).toBe(false);
  });

  it.each([
    ['http://localhost:8080', true],
    ['https://striker1.example.com', true],
    ['http://10.201.4.1:8080', true],
    ['http://rebind.evil.net:8080', false],
    ['null', false],
    ['file://striker1.example.com', false],
  ])('Origin %s → %s', (origin, allowed) => {
    expect(hosts.allowsOrigin(origin)).toBe(allowed);
  });

  it('always holds localhost', () => {
    expect(new HostAllowList().list()).toEqual(['localhost']);
  });

  it('reads the host name of a Host header', () => {
    expect(hostNameOf('Striker1:8080')).toBe('striker1');
    expect(hostNameOf('[::1]:80')).toBe('[::1]');
    expect(hostNameOf('a b')).toBeUndefined();
  });
});
