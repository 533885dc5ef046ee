import { describe, expect, it } from 'vitest';
import { bootPhases } from '../../../striker/machines/boot-phases.js';
import { dhcpEvents, httpEvents, tftpEvents } from './capture-events.js';

// tcpdump -n -tt -v output of iPXE's DISCOVER and the server's ACK (abridged to the lines read).
const dhcp = `1796544302.944206 IP (tos 0x0, ttl 64, id 0, offset 0, flags [none], proto UDP (17), length 428)
    0.0.0.0.68 > 255.255.255.255.67: BOOTP/DHCP, Request from 52:54:00:77:5b:01, length 400, xid 0x1b5c2e64, Flags [Broadcast]
\t  Vendor-rfc1048 Extensions
\t    DHCP-Message (53), length 1: Discover
\t    Vendor-Class (60), length 32: "PXEClient:Arch:00000:UNDI:002001"
1796544302.992066 IP (tos 0x0, ttl 64, id 1, offset 0, flags [DF], proto UDP (17), length 360)
    10.77.50.1.67 > 255.255.255.255.68: BOOTP/DHCP, Reply, length 332, xid 0x1b5c2e64, Flags [Broadcast]
\t    DHCP-Message (53), length 1: ACK
1796544322.757000 IP (tos 0x0, ttl 64, id 0, offset 0, flags [none], proto UDP (17), length 328)
    0.0.0.0.68 > 255.255.255.255.67: BOOTP/DHCP, Request from 52:54:00:77:5b:01, length 300
\t    DHCP-Message (53), length 1: Discover
\t    Vendor-Class (60), length 12: "udhcp 1.35.0"
`;
const tftp = `1796544303.046031 IP 10.77.50.100.7498 > 10.77.50.1.69: TFTP, length 57, RRQ "ipxe/52-54-00-77-5b-01.ipxe" octet blksize 1432 tsize 0
1796544303.085208 IP 10.77.50.1.36826 > 10.77.50.100.7498: UDP, length 25
1796544303.105735 IP 10.77.50.100.7498 > 10.77.50.1.36826: UDP, length 4
1796544303.106481 IP 10.77.50.1.36826 > 10.77.50.100.7498: UDP, length 507
1796544303.107000 IP 10.77.50.100.7498 > 10.77.50.1.36826: UDP, length 4
`;
const requests = `1796544303.141764 IP 10.77.50.100.4370 > 10.77.50.1.8080: Flags [P.], seq 1:133, ack 1, win 512, length 132: HTTP: GET /trees/test/vmlinuz HTTP/1.1
E..GET /trees/test/vmlinuz HTTP/1.1
Host: 10.77.50.1:8080
1796544303.539000 IP 10.77.50.100.4370 > 10.77.50.1.8080: Flags [P.], seq 133:268, ack 8247402, win 512, length 135: HTTP: GET /trees/test/initrd.img HTTP/1.1
..GET /trees/test/initrd.img HTTP/1.1
1796544322.971398 IP 10.77.50.100.44568 > 10.77.50.1.8080: Flags [P.], seq 0:141, ack 1, win 1004, length 141: HTTP: GET /ks/b1/1790000000.SSSS.ks HTTP/1.1
..GET /ks/b1/1790000000.SSSS.ks HTTP/1.1
`;
const responses = `1796544303.184522 IP 10.77.50.1.8080 > 10.77.50.100.4370: Flags [P.], seq 1:7241, ack 133, win 64, length 7240
1796544303.530000 IP 10.77.50.1.8080 > 10.77.50.100.4370: Flags [P.], seq 7241:8247402, ack 133, win 64, length 1448
1796544303.600000 IP 10.77.50.1.8080 > 10.77.50.100.4370: Flags [P.], seq 8247402:9492204, ack 268, win 64, length 1448
1796544322.980000 IP 10.77.50.1.8080 > 10.77.50.100.44568: Flags [P.], seq 1:566, ack 142, win 64, length 565
`;

describe('a capture read as timeline events', () => {
  it('DHCP: a PXE discover (option 60 PXEClient) starts the boot, an installer discover does not', () => {
    const events = dhcpEvents(dhcp);
    expect(events.map((e) => [e.step, e.details['firmware'] ?? null])).toEqual([['dhcp.discover', 'pxe'], ['dhcp.ack', null], ['dhcp.discover', null]]);
  });

  it('TFTP: one transfer per RRQ, from the request to its last packet', () => {
    expect(tftpEvents(tftp)).toEqual([{ at: new Date(1796544303046.031), step: 'tftp.transfer', details: { file: 'ipxe/52-54-00-77-5b-01.ipxe', durationMs: 61, outcome: 'ok' } }]);
  });

  it('HTTP: each request ends at the last byte sent before the next on its connection; /ks/ is the kickstart', () => {
    const events = httpEvents(requests, responses);
    expect(events.map((e) => [e.step, e.details['file'], e.details['bytes']])).toEqual([
      ['http.file', 'trees/test/vmlinuz', 8247401],
      ['http.file', 'trees/test/initrd.img', 1244802],
      ['kickstart.fetched', undefined, undefined],
    ]);
    expect(events[0]!.details['durationMs']).toBe(388);
  });

  it('the events split into the same phases as a recorded timeline', () => {
    const phases = bootPhases([...dhcpEvents(dhcp), ...tftpEvents(tftp), ...httpEvents(requests, responses)]);
    expect(phases.map((p) => p.name)).toEqual(['dhcp', 'script', 'kernel', 'initrd', 'kickstart']);
    expect(phases.reduce((sum, p) => sum + p.durationMs, 0)).toBe(1796544322980 - 1796544302944);
  });
});
