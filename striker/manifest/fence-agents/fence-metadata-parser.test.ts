/**
 * The metadata parser on the real output of fence-agents 4.12.1 and of Anvil!'s fence_delay
 * (fixtures/README.md), then on a table of hostile, malformed and truncated documents: each gives a
 * DecodeError that names what is wrong, never a form; random text and damaged copies of real
 * metadata only ever give a metadata or a DecodeError.
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DecodeError } from '../../core/errors/index.js';
import { parseFenceMetadata, type FenceAgentMetadata } from './fence-metadata-parser.js';

const fixture = (agent: string) => readFileSync(new URL(`./fixtures/${agent}.xml`, import.meta.url), 'utf8');
const parsed = (agent: string) => parseFenceMetadata(fixture(agent), agent);
const param = (m: FenceAgentMetadata, name: string) => m.parameters.find((p) => p.name === name);

describe('parseFenceMetadata on real agents', () => {
  it('reads fence_ipmilan: description, links, types, defaults, choices, deprecated names and actions', () => {
    const m = parsed('fence_ipmilan');
    expect(m.name).toBe('fence_ipmilan');
    expect(m.shortdesc).toBe('Fence agent for IPMI');
    expect(m.longdesc).toMatch(/^fence_ipmilan is an I\/O Fencing agent/);
    expect(m.symlinks).toEqual(['fence_ilo3', 'fence_ilo4', 'fence_ilo5', 'fence_ipmilanplus', 'fence_imm', 'fence_idrac']);
    expect(m.parameters).toHaveLength(41);
    expect(param(m, 'ipport')).toMatchObject({ type: 'integer', default: '623', required: false, deprecated: false });
    expect(param(m, 'lanplus')).toMatchObject({ type: 'boolean', default: '0', description: 'Use Lanplus to improve security of connection' });
    expect(param(m, 'auth')).toMatchObject({ type: 'select', choices: ['md5', 'password', 'none'] });
    expect(param(m, 'power_wait')).toMatchObject({ type: 'second', default: '2' });
    expect(param(m, 'ipaddr')).toMatchObject({ deprecated: true, replacedBy: 'ip' });
    expect(param(m, 'ip')).toMatchObject({ deprecated: false, obsoletes: 'ipaddr', getopt: '-a, --ip=[ip]' });
    expect(param(m, 'login')).toMatchObject({ deprecated: true, replacedBy: 'username' });
    expect(param(m, 'passwd')).toMatchObject({ deprecated: true, replacedBy: 'password', secret: true });
    expect(param(m, 'password')).toMatchObject({ secret: true, deprecated: false });
    expect(param(m, 'hexadecimal_kg')?.secret).toBe(true);
    expect(param(m, 'password_script')?.secret).toBe(false);
    expect(param(m, 'port')).toMatchObject({ deprecated: true, replacedBy: 'plug' });
    expect(param(m, 'action')).toMatchObject({ required: true, default: 'reboot' });
    expect(m.actions).toEqual(['on', 'off', 'reboot', 'status', 'monitor', 'metadata', 'manpage', 'validate-all', 'diag']);
  });

  it('reads fence_apc_snmp: required ip and plug, the SNMP selects and its secrets', () => {
    const m = parsed('fence_apc_snmp');
    expect(m.symlinks).toEqual(['fence_tripplite_snmp']);
    expect(param(m, 'ip')).toMatchObject({ required: true, obsoletes: 'ipaddr' });
    expect(param(m, 'plug')).toMatchObject({ required: true, obsoletes: 'port' });
    expect(param(m, 'snmp_version')).toMatchObject({ type: 'select', choices: ['1', '2c', '3'], default: '1' });
    expect(param(m, 'snmp_priv_passwd')?.secret).toBe(true);
    expect(param(m, 'community')?.secret).toBe(true);
  });

  it("reads fence_delay, Anvil!'s agent, which declares no required flags and its wait as a string", () => {
    const m = parsed('fence_delay');
    expect(m.name).toBe('fence_delay');
    expect(m.parameters.map((p) => p.name)).toEqual(['action', 'quiet', 'debug', 'version', 'wait']);
    expect(m.parameters.every((p) => !p.required && !p.deprecated)).toBe(true);
    expect(param(m, 'wait')).toMatchObject({ type: 'string', description: 'Set the time the agent waits before exiting. The default is 60 seconds.' });
    expect(m.actions).toContain('reboot');
  });

  it('reads fence_virsh, fence_ipmilanplus and fence_redfish, whose obsoleted names all resolve', () => {
    for (const agent of ['fence_virsh', 'fence_ipmilanplus', 'fence_redfish']) {
      const m = parsed(agent);
      expect(m.name).toBe(agent);
      for (const p of m.parameters.filter((x) => x.obsoletes !== undefined)) expect(param(m, p.obsoletes!)?.replacedBy).toBe(p.name);
    }
    expect(param(parsed('fence_ipmilanplus'), 'lanplus')?.default).toBe('1');
    expect(param(parsed('fence_redfish'), 'redfish-uri')).toMatchObject({ deprecated: true, replacedBy: 'redfish_uri' });
  });

  it('returns frozen data', () => {
    const m = parsed('fence_ipmilan');
    expect(Object.isFrozen(m) && Object.isFrozen(m.parameters) && Object.isFrozen(m.parameters[0])).toBe(true);
  });
});

const root = '<resource-agent name="fence_x" shortdesc="X">';
const head = `<?xml version="1.0" ?>\n${root}`;
const p = (inner: string, attrs = 'name="ip"') => `${head}<parameters><parameter ${attrs}>${inner}</parameter></parameters></resource-agent>`;
const ipmilan = fixture('fence_ipmilan');

describe('parseFenceMetadata refuses what would give a wrong form', () => {
  const cases: [string, string, RegExp][] = [
    ['empty output', '', /metadata is empty/],
    ['not XML', 'Traceback (most recent call last):\n  File "/usr/sbin/fence_x"', /not well-formed XML/],
    ['truncated in a parameter', ipmilan.slice(0, 2000), /not well-formed XML/],
    ['truncated before the root ends', ipmilan.replace(/<\/resource-agent>\s*$/, ''), /not well-formed XML/],
    ['another root', '<resource-agents name="fence_x"/>', /root element must be <resource-agent> — got <resource-agents>/],
    ['a path for a name', '<resource-agent name="../../bin/sh"><parameters/></resource-agent>', /must be a fence agent name like fence_ipmilan — got '..\/..\/bin\/sh'/],
    ['no parameters', `${head}<actions><action name="off"/></actions></resource-agent>`, /declares no <parameters>/],
    ['a parameter without a type', p('<shortdesc lang="en">IP</shortdesc>'), /parameter 'ip' has no <content type>/],
    ['an unknown type', p('<content type="ipv4"/>'), /parameter 'ip' has type 'ipv4' — expected one of boolean, string, integer, second, select/],
    ['a select without options', p('<content type="select"/>'), /parameter 'ip' is a select without any <option>/],
    ['a default its type refuses', p('<content type="integer" default="twenty"/>'), /parameter 'ip' has default 'twenty', which its type integer refuses/],
    ['a select default outside its options', p('<content type="select" default="4"><option value="1"/></content>'), /default '4'/],
    ['required other than 0 or 1', p('<content type="string"/>', 'name="ip" required="yes"'), /required must be 0 or 1 — got 'yes'/],
    ['a parameter named twice', `${head}<parameters><parameter name="ip"><content type="string"/></parameter><parameter name="ip"><content type="string"/></parameter></parameters></resource-agent>`, /parameter 'ip' is declared twice/],
    ['obsoletes an undeclared name', p('<content type="string"/>', 'name="ip" obsoletes="ipaddr"'), /parameter 'ip' obsoletes 'ipaddr', which the agent does not declare/],
    ['a parameter name with a line break', p('<content type="string"/>', 'name="ip&#10;action=off"'), /must be a parameter name/],
    ['an entity bomb', `<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]>${root}<longdesc>&b;</longdesc></resource-agent>`, /undefined entity/],
    ['an external entity', `<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/shadow">]>${root}<longdesc>&x;</longdesc></resource-agent>`, /undefined entity/],
    ['huge output', `${head}<longdesc>${'x'.repeat(600 * 1024)}</longdesc></resource-agent>`, /larger than/],
  ];
  it.each(cases)('%s', (_what, xml, message) => {
    let error: unknown;
    try { parseFenceMetadata(xml, 'fence_x'); } catch (e) { error = e; }
    expect(error).toBeInstanceOf(DecodeError);
    expect((error as DecodeError).message).toMatch(message);
    expect((error as DecodeError).field).toBe('fence_x');
  });
});

describe('parseFenceMetadata on random and damaged input', () => {
  const outcome = (xml: string) => {
    try {
      parseFenceMetadata(xml, 'fence_x');
      return 'parsed';
    } catch (error) {
      if (error instanceof DecodeError) return 'refused';
      throw error;
    }
  };

  it('random text is refused with a DecodeError', () => {
    fc.assert(fc.property(fc.string({ maxLength: 400 }), (text) => { expect(outcome(text)).toBe('refused'); }), { numRuns: 300 });
  });

  it('real metadata cut anywhere is refused', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: ipmilan.length - 20 }), (at) => { expect(outcome(ipmilan.slice(0, at))).toBe('refused'); }), { numRuns: 200 });
  });

  it('real metadata with a span replaced by random text parses or is refused, nothing else', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: ipmilan.length - 1 }), fc.integer({ min: 0, max: 40 }), fc.string({ maxLength: 20 }), (at, span, junk) => {
      expect(['parsed', 'refused']).toContain(outcome(`${ipmilan.slice(0, at)}${junk}${ipmilan.slice(at + span)}`));
    }), { numRuns: 300 });
  });
});
