import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DecodeError } from '../../../striker/core/errors/index.js';
import { isSyncSource, parseDrbdStatus } from './drbd.js';
import { parseChassisPower, parseIpmiSensor, parseSdrElist, parseSelElist } from './ipmi.js';
import { parseIpAddr, parseIpLink } from './links.js';
import { parseMdadmDetail } from './mdadm.js';
import { parseVirshList } from './servers.js';
import { parseSmartctl } from './smartctl.js';
import { parseUpsc } from './ups.js';

const fixture = (path: string): string => readFileSync(new URL(`../../../test/fixtures/scancore/${path}`, import.meta.url), 'utf8');

describe('ipmitool parsers (captured from ipmi_sim)', () => {
  it('reads values, units, status and thresholds from `sensor`', () => {
    const [cpu, fan] = parseIpmiSensor(fixture('ipmi/sensor-ok.txt'));
    expect(cpu).toMatchObject({ name: 'CPU Temp', kind: 'temperature', value: 40, unit: 'degrees C', status: 'ok' });
    expect(cpu?.thresholds).toEqual({ lowerNonRecoverable: null, lowerCritical: null, lowerNonCritical: null, upperNonCritical: 70, upperCritical: 85, upperNonRecoverable: 95 });
    expect(fan).toMatchObject({ name: 'FAN1', kind: 'fan', value: 6000, unit: 'RPM', status: 'ok' });
    expect(fan?.thresholds).toMatchObject({ lowerNonRecoverable: 200, lowerCritical: 500, lowerNonCritical: 1000 });
  });
  it('maps nc to warning and cr to critical', () => {
    expect(parseIpmiSensor(fixture('ipmi/sensor-warning.txt')).map((s) => [s.name, s.value, s.status])).toEqual([['CPU Temp', 75, 'warning'], ['FAN1', 800, 'warning']]);
    expect(parseIpmiSensor(fixture('ipmi/sensor-fan-failed-hot.txt')).map((s) => [s.name, s.value, s.status])).toEqual([['CPU Temp', 90, 'critical'], ['FAN1', 300, 'critical']]);
  });
  it('reads discrete sensors (state bits in the status column) and analog sensors with no reading as unknown', () => {
    const text = [
      'PS Redundancy    | 0x0        | discrete   | 0x0180| na        | na        | na        | na        | na        | na        ',
      'Inlet Temp       | na         | degrees C  | na    | na        | na        | na        | 42.000    | 45.000    | na        ',
      '',
    ].join('\n');
    expect(parseIpmiSensor(text).map((s) => [s.name, s.kind, s.value, s.status, s.rawStatus])).toEqual([
      ['PS Redundancy', 'other', null, 'unknown', '0x0180'],
      ['Inlet Temp', 'temperature', null, 'unknown', 'na'],
    ]);
  });

  it('reads `sdr elist` with the threshold-named status', () => {
    expect(parseSdrElist(fixture('ipmi/sdr-elist-fan-failed-hot.txt')).map((s) => [s.name, s.rawStatus, s.status, s.value, s.unit])).toEqual([
      ['CPU Temp', 'ucr', 'critical', 90, 'degrees C'],
      ['FAN1', 'lcr', 'critical', 300, 'RPM'],
    ]);
    expect(parseSdrElist(fixture('ipmi/sdr-elist-warning.txt')).map((s) => s.status)).toEqual(['warning', 'warning']);
  });
  it('reads chassis power and the SEL', () => {
    expect(parseChassisPower(fixture('ipmi/power-on.txt'))).toBe('on');
    expect(parseChassisPower(fixture('ipmi/power-off.txt'))).toBe('off');
    expect(parseSelElist(fixture('ipmi/sel-empty.txt'))).toEqual([]);
    const sel = parseSelElist(fixture('ipmi/sel-events.txt'));
    expect(sel).toHaveLength(4);
    expect(sel[1]).toMatchObject({ id: 2, sensor: 'Fan FAN1', event: 'Lower Critical going low', asserted: true, detail: 'Reading 300 < Threshold 500 RPM' });
  });
});

describe('upsc parser (captured from NUT dummy-ups)', () => {
  it.each([
    ['ups/upsc-ol.txt', { onLine: true, onBattery: false, lowBattery: false, chargePct: 100, runtimeS: 3600, loadPct: 23 }],
    ['ups/upsc-ob.txt', { onLine: false, onBattery: true, lowBattery: false, chargePct: 80, runtimeS: 1200, loadPct: 31 }],
    ['ups/upsc-ob-lb.txt', { onBattery: true, lowBattery: true, chargePct: 9, runtimeS: 95 }],
    ['ups/upsc-ol-chrg.txt', { onLine: true, onBattery: false, chargePct: 45, flags: ['OL', 'CHRG'] }],
  ])('%s', (file, expected) => {
    expect(parseUpsc(fixture(file), 'ups1')).toMatchObject({ name: 'ups1', model: 'Smart-UPS 1500', ...expected });
  });
});

describe('drbdsetup status --json parser (published samples)', () => {
  it('reads roles, disk states, connections and sync progress', () => {
    const [r0, r1] = parseDrbdStatus(fixture('drbd/status-published.json'));
    expect(r0).toMatchObject({ name: '1-single-0', role: 'Secondary', devices: [{ volume: 0, minor: 2, diskState: 'UpToDate' }] });
    expect(r0?.connections[0]).toMatchObject({ peerNodeId: 1, connectionState: 'Connected', peerRole: 'Primary', peerDevices: [{ replicationState: 'Established', peerDiskState: 'UpToDate', percentInSync: 100 }] });
    expect(r1?.name).toBe('1-single-1');
    expect(isSyncSource([r0!, r1!])).toBe(false);
    const sync = parseDrbdStatus(fixture('drbd/status-sync-source.json'));
    expect(sync[0]?.connections[0]?.peerDevices[0]).toMatchObject({ replicationState: 'SyncSource', peerDiskState: 'Inconsistent', percentInSync: 37.5 });
    expect(isSyncSource(sync)).toBe(true);
  });
});

describe('ip -j parsers (captured)', () => {
  it('reads operstate, carrier and kind; addresses per interface', () => {
    const links = parseIpLink(fixture('links/ip-link-netns.json'));
    expect(links.find((l) => l.name === 'bcn1')).toMatchObject({ operState: 'UP', adminUp: true, carrier: true, kind: 'veth', master: null });
    expect(links.find((l) => l.name === 'sn1')).toMatchObject({ operState: 'LOWERLAYERDOWN', adminUp: true, carrier: false });
    expect(links.find((l) => l.name === 'lo')).toMatchObject({ loopback: true, adminUp: false });
    expect(parseIpAddr(fixture('links/ip-addr-netns.json'))).toEqual(expect.arrayContaining([
      { name: 'bcn1', family: 'inet', address: '10.201.10.1', prefixLength: 16 },
      { name: 'sn1', family: 'inet', address: '10.101.10.1', prefixLength: 16 },
    ]));
    expect(parseIpLink(fixture('links/ip-link.json')).length).toBeGreaterThan(0);
    expect(parseIpAddr(fixture('links/ip-addr.json')).some((a) => a.address === '127.0.0.1')).toBe(true);
  });
  it('reads bond members', () => {
    const links = parseIpLink(fixture('links/ip-link-bond.json'));
    expect(links.map((l) => [l.name, l.kind, l.master, l.bondMember?.miiStatus ?? null])).toEqual([
      ['bcn1_link1', null, 'bcn1_bond1', 'UP'],
      ['bcn1_link2', null, 'bcn1_bond1', 'DOWN'],
      ['bcn1_bond1', 'bond', null, null],
    ]);
  });
});

describe('storage parsers', () => {
  it('reads the SMART verdict, temperature and sector counts', () => {
    expect(parseSmartctl(fixture('storage/smartctl-passed.json'))).toEqual({ device: '/dev/sda', model: 'WDC WD20EFRX-68EUZN0', passed: true, temperatureC: 34, reallocatedSectors: 0, pendingSectors: 0 });
    expect(parseSmartctl(fixture('storage/smartctl-failing.json'))).toMatchObject({ passed: false, reallocatedSectors: 1912, pendingSectors: 24 });
  });
  it('turns smartctl reporting an unreadable device into an error, not a reading', () => {
    expect(() => parseSmartctl(fixture('storage/smartctl-unreadable.json'))).toThrow(/could not read \/dev\/vda \(exit status 1\): \/dev\/vda: Unable to detect device type/);
  });
  it('reads array state, members and rebuild progress', () => {
    expect(parseMdadmDetail(fixture('storage/mdadm-clean.txt'))).toMatchObject({ device: '/dev/md127', level: 'raid1', degraded: false, recovering: false, activeDevices: 2, spareDevices: 1 });
    const degraded = parseMdadmDetail(fixture('storage/mdadm-degraded.txt'));
    expect(degraded).toMatchObject({ degraded: true, recovering: false, failedDevices: 1 });
    expect(degraded.members).toEqual([
      { number: 0, raidDevice: 0, state: 'active sync', device: '/dev/sda2' },
      { number: null, raidDevice: 1, state: 'removed', device: null },
      { number: 1, raidDevice: null, state: 'faulty', device: '/dev/sdb2' },
    ]);
    expect(parseMdadmDetail(fixture('storage/mdadm-recovering.txt'))).toMatchObject({ degraded: true, recovering: true, rebuildPct: 12 });
  });
});

describe('virsh list parser (captured from the test driver)', () => {
  it('reads ids, names and two-word states', () => {
    expect(parseVirshList(fixture('libvirt/list-all.txt'))).toEqual([
      { id: 2, name: 'srv01-web', state: 'running' },
      { id: 3, name: 'srv02-db', state: 'paused' },
      { id: null, name: 'srv03-mail', state: 'shut off' },
      { id: null, name: 'test', state: 'shut off' },
    ]);
  });
});

/** Cuts a fixture in half: the shape a killed or timed-out command leaves behind. */
const half = (path: string): string => { const t = fixture(path); return t.slice(0, Math.floor(t.length / 2)); };

describe('malformed or truncated output gives a clear error, never a reading', () => {
  it.each([
    ['sensor: truncated row', () => parseIpmiSensor('CPU Temp         | 40.000     | degrees C  | ok    | na\n'), /expected 10 columns, got 5/],
    ['sensor: empty', () => parseIpmiSensor(''), /lists no sensors/],
    ['sensor: unknown status', () => parseIpmiSensor(fixture('ipmi/sensor-ok.txt').replace('| ok ', '| zz ')), /unknown sensor status 'zz'/],
    ['sensor: value not a number', () => parseIpmiSensor(fixture('ipmi/sensor-ok.txt').replace('40.000', '4O.000')), /CPU Temp value '4O.000' is not a number/],
    ['sdr: truncated', () => parseSdrElist('CPU Temp         | 01h | ok \n'), /expected 5 columns, got 3/],
    ['power: error text', () => parseChassisPower('Error: Unable to establish IPMI v2 / RMCP+ session'), /expected 'Chassis Power is on\|off'/],
    ['sel: bad direction', () => parseSelElist('   1 | 12/06/2026 | 10:55:01 | Fan FAN1 | Lower Critical going low | Maybe\n'), /Asserted or Deasserted/],
    ['upsc: truncated before ups.status', () => parseUpsc(fixture('ups/upsc-ol.txt').split('ups.status')[0] ?? '', 'ups1'), /has no ups.status/],
    ['upsc: cut mid-line', () => parseUpsc('battery.charge: 100\nbattery.runt', 'ups1'), /ends mid-line \(truncated\): 'battery.runt'/],
    ['upsc: not a variable line', () => parseUpsc('battery.charge: 100\nbattery.runt\n', 'ups1'), /expected 'variable: value' — got 'battery.runt'/],
    ['sensor: cut inside the last threshold', () => parseIpmiSensor(fixture('ipmi/sensor-ok.txt').slice(0, fixture('ipmi/sensor-ok.txt').indexOf('95.000') + 1)), /ends mid-line/],
    ['upsc: WAIT', () => parseUpsc('ups.status: WAIT\n', 'ups1'), /WAIT/],
    ['upsc: charge out of range', () => parseUpsc('battery.charge: 140\nups.status: OL\n', 'ups1'), /battery.charge must be a number from 0 to 100 — got '140'/],
    ['upsc: unknown flag', () => parseUpsc('ups.status: OL XYZ\n', 'ups1'), /unknown flags XYZ/],
    ['drbd: truncated', () => parseDrbdStatus(half('drbd/status-published.json')), /is not complete JSON/],
    ['drbd: missing field', () => parseDrbdStatus('[{"name":"r0","role":"Primary","devices":[],"connections":[{"peer-node-id":1,"name":"b","peer-role":"Secondary","peer_devices":[]}]}]'), /\[0\]\.connections\[0\]\.connection-state must be a string — got nothing/],
    ['drbd: not a list', () => parseDrbdStatus('{}'), /\(root\) must be a list/],
    ['ip link: truncated', () => parseIpLink(half('links/ip-link-netns.json')), /is not complete JSON/],
    ['ip link: no operstate', () => parseIpLink('[{"ifname":"eth0","flags":[],"mtu":1500}]'), /\[0\]\.operstate must be a string/],
    ['ip addr: truncated', () => parseIpAddr(half('links/ip-addr-netns.json')), /is not complete JSON/],
    ['smartctl: truncated', () => parseSmartctl(half('storage/smartctl-passed.json')), /is not complete JSON/],
    ['smartctl: no verdict', () => parseSmartctl('{"smartctl":{"exit_status":0},"device":{"name":"/dev/sda"}}'), /smart_status must be an object/],
    ['mdadm: truncated before State', () => parseMdadmDetail(fixture('storage/mdadm-degraded.txt').split('             State')[0] ?? ''), /has no 'State' line/],
    ['mdadm: truncated before the table', () => parseMdadmDetail(fixture('storage/mdadm-degraded.txt').split('    Number')[0] ?? ''), /has no member table/],
    ['mdadm: not mdadm', () => parseMdadmDetail('mdadm: cannot open /dev/md9: No such file or directory\n'), /expected '\/dev\/mdN:'/],
    ['virsh: error text', () => parseVirshList('error: failed to connect to the hypervisor\n'), /expected the header 'Id Name State'/],
    ['virsh: header only', () => parseVirshList(' Id   Name         State\n'), /dashed line/],
    ['virsh: cut mid-row', () => parseVirshList(fixture('libvirt/list-all.txt').slice(0, -7)), /ends mid-line/],
    ['virsh: unknown state', () => parseVirshList(`${fixture('libvirt/list-all.txt').slice(0, -7)}\n`), /state 'shu' of test is not one of/],
  ])('%s', (_name, parse, message) => {
    let thrown: unknown;
    try {
      parse();
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(DecodeError);
    expect((thrown as Error).message).toMatch(message);
  });
});

/** A parse of cut output agrees with the full parse: a prefix of its lists, its values or unknown (null). */
function consistent(partial: unknown, full: unknown): boolean {
  if (partial === null) return true;
  if (Array.isArray(partial)) return Array.isArray(full) && partial.length <= full.length && partial.every((p, i) => consistent(p, full[i]));
  if (typeof partial === 'object') return typeof full === 'object' && full !== null && Object.entries(partial).every(([k, v]) => consistent(v, (full as Record<string, unknown>)[k]));
  return partial === full;
}

const parsers: [string, (text: string) => unknown][] = [
  ['ipmi/sensor-fan-failed-hot.txt', parseIpmiSensor],
  ['ipmi/sdr-elist-fan-failed-hot.txt', parseSdrElist],
  ['ipmi/sel-events.txt', parseSelElist],
  ['ipmi/power-off.txt', parseChassisPower],
  ['ups/upsc-ob-lb.txt', (t) => parseUpsc(t, 'ups1')],
  ['drbd/status-sync-source.json', parseDrbdStatus],
  ['links/ip-link-bond.json', parseIpLink],
  ['links/ip-addr-netns.json', parseIpAddr],
  ['storage/smartctl-failing.json', parseSmartctl],
  ['storage/mdadm-recovering.txt', parseMdadmDetail],
  ['libvirt/list-all.txt', parseVirshList],
];

describe('output cut at any byte never gives a wrong reading', () => {
  it.each(parsers)('%s', (file, parse) => {
    const text = fixture(file);
    const full = parse(text);
    let refused = 0;
    for (let at = 0; at < text.length; at++) {
      try {
        expect(consistent(parse(text.slice(0, at)), full)).toBe(true);
      } catch (error) {
        if (!(error instanceof DecodeError)) throw error;
        refused++;
      }
    }
    expect(refused).toBeGreaterThan(0);
  });

  it('random text gives a DecodeError, never another exception', () => {
    fc.assert(fc.property(fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.json()), (text) => {
      for (const [, parse] of parsers) {
        try {
          parse(text);
        } catch (error) {
          if (!(error instanceof DecodeError)) throw error;
        }
      }
    }), { numRuns: 300 });
  });
});
