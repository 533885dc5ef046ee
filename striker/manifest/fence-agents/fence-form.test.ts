/**
 * Fence device forms generated from the real metadata of fence_ipmilan, fence_apc_snmp and
 * fence_delay (reviewed goldens under fixtures/forms/), and the parameter check: unknown names
 * refused, deprecated names renamed, wrong types, missing required values, cluster-supplied
 * parameters and credentials in clear refused, every problem in one answer.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { readGolden } from '../../../test/support/golden-file.js';
import { checkFenceParameters, fenceForm, labelOf } from './fence-form.js';
import { parseFenceMetadata } from './fence-metadata-parser.js';

const metadata = (agent: string) => parseFenceMetadata(readFileSync(new URL(`./fixtures/${agent}.xml`, import.meta.url), 'utf8'), agent);
const ipmilan = metadata('fence_ipmilan');
const apc = metadata('fence_apc_snmp');
const delay = metadata('fence_delay');

describe('fenceForm from real metadata', () => {
  it.each(['fence_ipmilan', 'fence_apc_snmp', 'fence_delay'])('%s matches its reviewed golden', (agent) => {
    const actual = `${JSON.stringify(fenceForm(metadata(agent)), null, 2)}\n`;
    expect(actual).toBe(readGolden(fileURLToPath(new URL(`./fixtures/forms/${agent}.form.json`, import.meta.url)), actual));
  });

  it('fence_ipmilan: deprecated names fold into their fields; action, plug, help and version are not fields', () => {
    const form = fenceForm(ipmilan);
    const names = form.fields.map((f) => f.name);
    for (const gone of ['action', 'plug', 'port', 'ipaddr', 'login', 'passwd', 'help', 'version']) expect(names).not.toContain(gone);
    expect(form.fields.find((f) => f.name === 'ip')).toMatchObject({ label: 'Address', type: 'string', deprecatedNames: ['ipaddr'], advanced: false });
    expect(form.fields.find((f) => f.name === 'username')?.deprecatedNames).toEqual(['login']);
    expect(form.fields.find((f) => f.name === 'password')).toMatchObject({ secret: true, deprecatedNames: ['passwd'] });
    expect(form.fields.find((f) => f.name === 'ipport')).toMatchObject({ type: 'integer', default: '623', label: 'Port' });
    expect(form.fields.find((f) => f.name === 'lanplus')).toMatchObject({ type: 'boolean', default: '0' });
    expect(form.fields.find((f) => f.name === 'auth')).toMatchObject({ type: 'select', choices: ['md5', 'password', 'none'] });
    expect(form.fields.find((f) => f.name === 'power_timeout')).toMatchObject({ type: 'second', advanced: true });
  });

  it('fence_apc_snmp: ip is required and first; the plug comes from each host, so it is no field', () => {
    const form = fenceForm(apc);
    expect(form.fields[0]).toMatchObject({ name: 'ip', required: true });
    expect(form.fields.filter((f) => f.required).map((f) => f.name)).toEqual(['ip']);
    expect(form.fields.find((f) => f.name === 'snmp_version')).toMatchObject({ type: 'select', choices: ['1', '2c', '3'], default: '1', label: 'SNMP version' });
    expect(form.fields.find((f) => f.name === 'community')?.secret).toBe(true);
  });

  it('fence_delay: wait, quiet and debug remain', () => {
    expect(fenceForm(delay).fields.map((f) => f.name)).toEqual(['wait', 'quiet', 'debug']);
    expect(fenceForm(delay).title).toMatch(/^Agent designed to pause/);
  });

  it('labels unknown names readably', () => {
    expect(labelOf('power_wait')).toBe('Power wait');
    expect(labelOf('redfish-uri')).toBe('Redfish uri');
  });
});

describe('checkFenceParameters', () => {
  it('accepts good values and normalises them to what the agent reads', () => {
    const out = checkFenceParameters(ipmilan, { ip: '10.201.13.1', username: 'admin', lanplus: true, ipport: 623, cipher: 3, auth: 'md5', power_wait: '0.5' });
    expect(out.problems).toEqual([]);
    expect(out.notices).toEqual([]);
    expect(out.parameters).toEqual({ ip: '10.201.13.1', username: 'admin', lanplus: '1', ipport: '623', cipher: '3', auth: 'md5', power_wait: '0.5' });
    expect(checkFenceParameters(apc, { ip: 'pdu-1', snmp_version: 3, ipport: '161', lanplus: true }).problems).toEqual([{ path: 'lanplus', message: "fence_apc_snmp has no parameter 'lanplus'" }]);
    expect(checkFenceParameters(apc, { ip: 'pdu-1', snmp_version: 3 }).parameters).toEqual({ ip: 'pdu-1', snmp_version: '3' });
  });

  it('refuses a parameter the agent does not know, suggesting the near miss', () => {
    const out = checkFenceParameters(ipmilan, { ip: '10.0.0.1', colour: 'red', 'power-wait': 3 });
    expect(out.problems).toEqual([
      { path: 'colour', message: "fence_ipmilan has no parameter 'colour'" },
      { path: 'power-wait', message: "fence_ipmilan has no parameter 'power-wait'; did you mean 'power_wait'?" },
    ]);
    expect(out.parameters).toEqual({ ip: '10.0.0.1' });
  });

  it('renames deprecated names with a notice', () => {
    const out = checkFenceParameters(ipmilan, { ipaddr: '10.201.13.1', login: 'admin' });
    expect(out.problems).toEqual([]);
    expect(out.parameters).toEqual({ ip: '10.201.13.1', username: 'admin' });
    expect(out.notices).toEqual([
      { path: 'ipaddr', message: "renamed to 'ip': fence_ipmilan calls it 'ip' now" },
      { path: 'login', message: "renamed to 'username': fence_ipmilan calls it 'username' now" },
    ]);
  });

  it('a deprecated name given with the new one: the same value is one parameter, another value a problem', () => {
    expect(checkFenceParameters(ipmilan, { ip: '10.0.0.1', ipaddr: '10.0.0.1' })).toMatchObject({ parameters: { ip: '10.0.0.1' }, problems: [] });
    expect(checkFenceParameters(ipmilan, { ip: '10.0.0.1', ipaddr: '10.0.0.2' }).problems).toEqual([
      { path: 'ipaddr', message: "is the old name of 'ip', which is also given with another value; keep only 'ip'" },
    ]);
  });

  it('refuses wrong types, each naming what was seen', () => {
    const out = checkFenceParameters(ipmilan, { ip: true, ipport: 'six', lanplus: 'maybe', auth: 'sha1', power_timeout: '-1', username: 'a\naction=on' });
    expect(out.problems).toEqual([
      { path: 'ip', message: 'must be text — got true' },
      { path: 'ipport', message: "must be a whole number — got 'six'" },
      { path: 'lanplus', message: "must be true or false — got 'maybe'" },
      { path: 'auth', message: "must be one of md5, password, none — got 'sha1'" },
      { path: 'power_timeout', message: "must be a number of seconds like 5 or 0.5 — got '-1'" },
      { path: 'username', message: 'must be one line: the agent reads its parameters one per line, so a line break would start another parameter' },
    ]);
  });

  it('refuses a missing required parameter, unless a deprecated alias carries it', () => {
    expect(checkFenceParameters(apc, {}).problems).toEqual([{ path: 'ip', message: 'is required by fence_apc_snmp (IP address or hostname of fencing device)' }]);
    expect(checkFenceParameters(apc, { ipaddr: '10.201.2.1' }).problems).toEqual([]);
    const virsh = metadata('fence_virsh');
    expect(checkFenceParameters(virsh, { ip: 'host' }).problems.map((p) => p.path)).toEqual(['username']);
  });

  it('refuses what the cluster supplies, what stops the agent, and credentials in clear', () => {
    const out = checkFenceParameters(apc, { ip: '10.201.2.1', action: 'off', port: '3', version: true, passwd: 'apc', snmp_priv_passwd: 'x' });
    expect(out.problems.map((p) => [p.path, p.message.slice(0, 40)])).toEqual([
      ['action', 'is chosen by the cluster for each fence '],
      ['port', "is set per host: the cluster passes each"],
      ['version', 'makes the agent print its version and ex'],
      ['passwd', "is a credential: give it as the device's"],
      ['snmp_priv_passwd', "is a credential: give it as the device's"],
    ]);
    expect(out.parameters).toEqual({ ip: '10.201.2.1' });
  });

  it('a required credential given elsewhere is not missing', () => {
    const strict = { ...apc, parameters: apc.parameters.map((p) => (p.name === 'password' ? { ...p, required: true } : p)) };
    expect(checkFenceParameters(strict, { ip: 'pdu' }).problems.map((p) => p.path)).toEqual(['password']);
    expect(checkFenceParameters(strict, { ip: 'pdu' }, { provided: ['password'] }).problems).toEqual([]);
  });
});
