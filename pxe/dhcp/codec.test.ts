import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DecodeError } from '../../striker/core/errors/index.js';
import { readGolden } from '../../test/support/golden-file.js';
import { decodePacket, encodePacket } from './codec.js';
import { dumpPacket } from './dump.js';
import { encodeClasslessRoutes, encodeDomainSearch, encodeSubOptions, textBytes, u32Bytes } from './option-values.js';
import type { DhcpPacket } from './packet.js';

const fixtures = join(dirname(fileURLToPath(import.meta.url)), '../../test/fixtures/dhcp');
const captured = readdirSync(fixtures).filter((f) => f.endsWith('.bin')).sort();

describe('codec on packets captured from real clients', () => {
  it('has captures from every client family', () => {
    for (const client of ['dhclient', 'udhcpc', 'dhcpcd', 'nmap', 'ipxe-bios', 'ipxe-uefi', 'ovmf-pxe']) {
      expect(captured.some((f) => f.startsWith(`${client}-`)), client).toBe(true);
    }
  });

  for (const file of captured) {
    it(`${file}: decode → golden dump, encode(decode(x)) = x`, () => {
      const bytes = new Uint8Array(readFileSync(join(fixtures, file)));
      const packet = decodePacket(bytes);
      const dump = dumpPacket(packet);
      expect(dump).toBe(readGolden(join(fixtures, file.replace(/\.bin$/, '.golden.txt')), dump));
      expect(Buffer.from(encodePacket(packet)).equals(Buffer.from(bytes))).toBe(true);
    });
  }
});

function request(overrides: Partial<DhcpPacket> = {}): DhcpPacket {
  const chaddr = new Uint8Array(16);
  chaddr.set([0x52, 0x54, 0x00, 0x12, 0x34, 0x56]);
  return {
    op: 1, htype: 1, hlen: 6, hops: 0, xid: 0x1234abcd, secs: 3, flags: 0x8000,
    ciaddr: 0, yiaddr: 0, siaddr: 0, giaddr: 0, chaddr, sname: '', file: '',
    options: [{ code: 53, data: Uint8Array.of(1) }],
    ...overrides,
  };
}

describe('codec on constructed packets (RFC features no capture shows)', () => {
  it('round-trips every typed option Striker knows', () => {
    const p = request({
      options: [
        { code: 53, data: Uint8Array.of(3) },
        { code: 50, data: u32Bytes(0x0a000005) },
        { code: 54, data: u32Bytes(0x0a000001) },
        { code: 61, data: Uint8Array.of(1, 0x52, 0x54, 0, 0x12, 0x34, 0x56) },
        { code: 60, data: textBytes('PXEClient:Arch:00007:UNDI:003016') },
        { code: 77, data: textBytes('iPXE') },
        { code: 81, data: Uint8Array.of(0, 0, 0, 0x68, 0x6f) },
        { code: 82, data: encodeSubOptions([{ code: 1, data: textBytes('eth0') }, { code: 2, data: Uint8Array.of(1, 2, 3) }]) },
        { code: 93, data: Uint8Array.of(0, 7) },
        { code: 94, data: Uint8Array.of(1, 3, 16) },
        { code: 97, data: Uint8Array.of(0, ...new Array<number>(16).fill(0xab)) },
        { code: 119, data: encodeDomainSearch(['lab.example', 'example']) },
        { code: 121, data: encodeClasslessRoutes([{ destination: 0x0a640000, prefix: 16, router: 0x0a000001 }, { destination: 0, prefix: 0, router: 0x0a0000fe }]) },
        { code: 175, data: encodeSubOptions([{ code: 19, data: Uint8Array.of(1) }, { code: 24, data: Uint8Array.of(1) }]) },
        { code: 224, data: Uint8Array.of(1, 2, 3) },
      ],
    });
    const again = decodePacket(encodePacket(p));
    expect(again.options).toEqual(p.options);
    expect(dumpPacket(again)).toContain('option 121 ClasslessStaticRoute: 10.100.0.0/16 via 10.0.0.1, 0.0.0.0/0 via 10.0.0.254');
    expect(dumpPacket(again)).toContain('option 119 DomainSearch: lab.example, example');
    expect(dumpPacket(again)).toContain('option 82 RelayAgentInformation: [1] 65746830 [2] 010203');
    expect(dumpPacket(again)).toContain('option 224 Unknown: hex 010203');
  });

  it('splits values over 255 bytes and joins them again (RFC 3396)', () => {
    const long = new Uint8Array(600).map((_, i) => i & 255);
    const bytes = encodePacket(request({ options: [{ code: 53, data: Uint8Array.of(1) }, { code: 43, data: long }] }));
    expect(decodePacket(bytes).options[1]?.data).toEqual(long);
  });

  it('reads options from file and sname when option 52 says so (RFC 2132 §9.3)', () => {
    const p = request({
      options: [
        { code: 53, data: Uint8Array.of(2) },
        { code: 52, data: Uint8Array.of(3) },
        { code: 67, data: textBytes('a-long-boot-file-name.efi'), region: 'file' },
        { code: 66, data: textBytes('10.0.0.1'), region: 'sname' },
      ],
    });
    const decoded = decodePacket(encodePacket(p));
    expect(decoded.options).toEqual(p.options);
    expect(decoded.file).toBe('');
    expect(dumpPacket(decoded)).toContain('option 67 BootfileName [in file]: "a-long-boot-file-name.efi"');
  });

  it('pads replies to 300 bytes (RFC 1542 §3.4)', () => {
    expect(encodePacket(request()).length).toBe(300);
  });
});

function valid(): Uint8Array {
  return new Uint8Array(encodePacket(request()));
}

function patch(edit: (b: Uint8Array) => Uint8Array | void): Uint8Array {
  const b = valid();
  return edit(b) ?? b;
}

function withOptions(bytes: number[]): Uint8Array {
  const b = valid().slice(0, 240);
  return Uint8Array.from([...b, ...bytes]);
}

describe('malformed packets give DecodeError naming field and offset', () => {
  const table: [string, Uint8Array, string, number][] = [
    ['empty', new Uint8Array(), 'header', 0],
    ['short header', valid().slice(0, 100), 'header', 100],
    ['op 3', patch((b) => void (b[0] = 3)), 'op', 0],
    ['hlen 17', patch((b) => void (b[2] = 17)), 'hlen', 2],
    ['bad cookie', patch((b) => void (b[236] = 0)), 'magic cookie', 236],
    ['no End', withOptions([53, 1, 1]), 'options', 243],
    ['length past end', withOptions([53, 1, 1, 12, 40, 65]), 'option 12 HostName', 244],
    ['no length byte', withOptions([53, 1, 1, 12]), 'option 12 HostName', 243],
    ['message type of 2 bytes', withOptions([53, 2, 1, 1, 255]), 'option 53 MessageType', 241],
    ['message type 0', withOptions([53, 1, 0, 255]), 'option 53 MessageType', 242],
    ['requested address of 3 bytes', withOptions([53, 1, 1, 50, 3, 10, 0, 0, 255]), 'option 50 RequestedIpAddress', 244],
    ['odd arch list', withOptions([53, 1, 1, 93, 3, 0, 7, 0, 255]), 'option 93 ClientSystemArchitecture', 244],
    ['uuid of 16 bytes', withOptions([53, 1, 1, 97, 16, ...new Array<number>(16).fill(0), 255]), 'option 97 ClientMachineId', 244],
    ['client id of 1 byte', withOptions([53, 1, 1, 61, 1, 1, 255]), 'option 61 ClientIdentifier', 244],
    ['relay sub-option too long', withOptions([53, 1, 1, 82, 3, 1, 5, 0, 255]), 'option 82 RelayAgentInformation', 246],
    ['route prefix 33', withOptions([53, 1, 1, 121, 5, 33, 1, 2, 3, 4, 255]), 'option 121 ClasslessStaticRoute', 245],
    ['search pointer forward', withOptions([53, 1, 1, 119, 2, 0xc0, 5, 255]), 'option 119 DomainSearch', 245],
    ['overload 4', withOptions([53, 1, 1, 52, 1, 4, 255]), 'option 52 OptionOverload', 243],
  ];
  for (const [name, bytes, field, offset] of table) {
    it(name, () => {
      let caught: unknown;
      try {
        decodePacket(bytes);
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(DecodeError);
      expect((caught as DecodeError).field).toBe(field);
      expect((caught as DecodeError).offset).toBe(offset);
    });
  }
});
