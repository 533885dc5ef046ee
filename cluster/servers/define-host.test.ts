/**
 * The node's side of definitions, through an injected command runner: `server.define` (exact argv,
 * a 0600 temporary file, the resource agent's config and the state written, a change the node
 * has not reported never overwritten) and the definition watch (a change reported once with its
 * base version; Striker's answer recorded).
 */
import { mkdir, mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { HostJobContext } from '../../striker/agent/index.js';
import type { CommandRunner } from '../../striker/core/command/run-command.js';
import { readDefinitionState } from './definition-state.js';
import { checkDefinitions, type DefinitionReportBody } from './definition-watch.js';
import { serverDefineRunner, type DefinePayload } from './define-host.js';
import { definitionHash } from './domain-definition.js';
import { renderDomainXml } from './domain-xml.js';
import type { DefinitionReportAnswer } from './server-record.js';

let root: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'define-host-'));
  await mkdir(join(root, 'tmp'));
});
afterEach(async () => rm(root, { recursive: true, force: true }));

const paths = () => ({ definitionsDir: join(root, 'defs'), stateDir: join(root, 'state') });
const uuid = '6f1c2d3e-4a5b-4c6d-8e7f-001122334455';
const v1 = renderDomainXml({ name: 'srv01', uuid, vcpus: 2, memoryMiB: 1024, disk: '/dev/drbd0' });
const withVcpus = (n: number) => v1.replace("<vcpu placement='static'>2</vcpu>", `<vcpu placement='static'>${n}</vcpu>`);
// What libvirt prints for a defined domain: its own additions on top.
const asLibvirt = (xml: string) => xml.replace("unit='MiB'>1024<", "unit='KiB'>1048576<").replace('  <devices>\n', "  <devices>\n    <emulator>/usr/bin/qemu-system-x86_64</emulator>\n    <controller type='pci' index='0' model='pcie-root'/>\n");

/** A libvirt of one domain: `dumpxml --inactive` prints it, `define <file>` replaces it. */
function fakeVirsh(initial: string | undefined) {
  const ran: string[][] = [];
  const defined: { mode: number; text: string }[] = [];
  let domain = initial;
  const run: CommandRunner = async (argv) => {
    ran.push([...argv]);
    const result = { argv, durationMs: 1, stderr: '', stdout: '', exitCode: 0 };
    const verb = argv[1] === '-c' ? 3 : 1;
    if (argv[verb] === 'dumpxml') return domain === undefined ? { ...result, exitCode: 1, stderr: "error: failed to get domain 'srv01'" } : { ...result, stdout: asLibvirt(domain) };
    if (argv[verb] === 'define') {
      const file = argv[verb + 1]!;
      const text = await readFile(file, 'utf8');
      defined.push({ mode: (await stat(file)).mode & 0o777, text });
      domain = text;
      return { ...result, stdout: `Domain 'srv01' defined from ${file}` };
    }
    throw new Error(`unexpected ${argv.join(' ')}`);
  };
  return { run, ran, defined, edit: (xml: string) => (domain = xml) };
}

function context(payload: DefinePayload): HostJobContext<DefinePayload> {
  return {
    jobId: 'job-1', payload, signal: new AbortController().signal, logger: pino({ level: 'silent' }),
    progress: async () => undefined, note: async () => undefined, api: async () => { throw new Error('no api'); },
  };
}

const payload = (xml: string, version: number, replaces: string[] = []): DefinePayload => ({ server: 'srv01', version, xml, hash: definitionHash(xml), replaces });

async function provisionedAt(xml: string) {
  await mkdir(paths().definitionsDir, { recursive: true });
  await writeFile(join(paths().definitionsDir, 'srv01.xml'), xml);
}

describe('server.define', () => {
  it('defines the version from a 0600 temporary file with the exact argv, then keeps it as the config and records it', async () => {
    await provisionedAt(v1);
    const virsh = fakeVirsh(v1);
    const runner = serverDefineRunner({ run: virsh.run, paths: paths(), libvirtUri: 'qemu:///system', tempDir: join(root, 'tmp') });
    const result = await runner(context(payload(withVcpus(4), 2, [definitionHash(v1)])));
    expect(result).toEqual({ message: 'Defined version 2 of srv01 on this node' });
    expect(virsh.ran.map((a) => a.slice(0, 4))).toEqual([['virsh', '-c', 'qemu:///system', 'dumpxml'], ['virsh', '-c', 'qemu:///system', 'define']]);
    expect(virsh.ran[0]).toEqual(['virsh', '-c', 'qemu:///system', 'dumpxml', '--inactive', 'srv01']);
    expect(virsh.ran[1]![4]).toMatch(new RegExp(`^${join(root, 'tmp')}/striker-define-[^/]+/srv01\\.xml$`));
    expect(virsh.defined).toEqual([{ mode: 0o600, text: withVcpus(4) }]);
    expect(await readdir(join(root, 'tmp'))).toEqual([]);
    expect(await readFile(join(paths().definitionsDir, 'srv01.xml'), 'utf8')).toBe(withVcpus(4));
    expect(await readDefinitionState(paths().stateDir, join(paths().definitionsDir, 'srv01.xml'), 'srv01')).toEqual({ version: 2, hash: definitionHash(withVcpus(4)) });
  });

  it('records a version the node holds already without defining it again, and defines a domain absent here', async () => {
    await provisionedAt(v1);
    const same = fakeVirsh(withVcpus(4));
    expect(await serverDefineRunner({ run: same.run, paths: paths() })(context(payload(withVcpus(4), 2)))).toEqual({ message: 'srv01 on this node is version 2 already; recorded it' });
    expect(same.ran).toEqual([['virsh', 'dumpxml', '--inactive', 'srv01']]);
    const absent = fakeVirsh(undefined);
    await serverDefineRunner({ run: absent.run, paths: paths(), tempDir: join(root, 'tmp') })(context(payload(withVcpus(6), 3)));
    expect(absent.defined.map((d) => d.text)).toEqual([withVcpus(6)]);
  });

  it("never overwrites a change made on the node that Striker has not seen; a settlement's replaces allow it", async () => {
    await provisionedAt(v1);
    const virsh = fakeVirsh(withVcpus(8));
    const runner = serverDefineRunner({ run: virsh.run, paths: paths(), tempDir: join(root, 'tmp') });
    await expect(runner(context(payload(withVcpus(4), 2, [definitionHash(v1)])))).rejects.toThrow(/changed since version 1 and Striker has not seen that change; it is not overwritten/);
    expect(virsh.defined).toEqual([]);
    await runner(context(payload(withVcpus(4), 3, [definitionHash(withVcpus(4)), definitionHash(withVcpus(8))])));
    expect(virsh.defined.map((d) => d.text)).toEqual([withVcpus(4)]);
  });

  it('refuses a payload whose XML is another domain or does not match its hash', async () => {
    const virsh = fakeVirsh(v1);
    const runner = serverDefineRunner({ run: virsh.run, paths: paths() });
    await expect(runner(context({ ...payload(v1, 2), server: 'srv02' }))).rejects.toThrow(/domain named srv01/);
    await expect(runner(context({ ...payload(v1, 2), hash: definitionHash(withVcpus(3)) }))).rejects.toThrow(/does not match its hash/);
    expect(virsh.ran).toEqual([]);
  });
});

describe('the definition watch', () => {
  it("reports a node's change once with its base version, and moves on with Striker's answer", async () => {
    await provisionedAt(v1);
    const virsh = fakeVirsh(v1);
    const reports: ({ server: string } & DefinitionReportBody)[] = [];
    let answer: DefinitionReportAnswer = { outcome: 'accepted', version: 2, jobId: 'j' };
    const deps = { run: virsh.run, paths: paths(), report: async (server: string, body: DefinitionReportBody) => { reports.push({ server, ...body }); return answer; } };
    // libvirt's form of the provisioned XML is no change.
    expect(await checkDefinitions(deps)).toEqual([{ server: 'srv01', outcome: 'same', version: 1 }]);
    virsh.edit(withVcpus(4));
    expect(await checkDefinitions(deps)).toEqual([{ server: 'srv01', outcome: 'accepted', version: 2 }]);
    // Version 1's XML goes with a report against it (Striker records it when it has none).
    expect(reports).toEqual([{ server: 'srv01', baseVersion: 1, xml: asLibvirt(withVcpus(4)), baseXml: v1 }]);
    expect(await readFile(join(paths().definitionsDir, 'srv01.xml'), 'utf8')).toBe(asLibvirt(withVcpus(4)));
    expect(await checkDefinitions(deps)).toEqual([{ server: 'srv01', outcome: 'same', version: 2 }]);
    // A change Striker records as a conflict is not sent again; the config keeps the version in force.
    virsh.edit(withVcpus(6));
    answer = { outcome: 'conflict', version: 3, conflictId: 'c' };
    expect((await checkDefinitions(deps))[0]).toMatchObject({ outcome: 'conflict', version: 3 });
    expect(await checkDefinitions(deps)).toEqual([{ server: 'srv01', outcome: 'same', version: 2 }]);
    expect(reports.map((r) => [r.baseVersion, r.baseXml !== undefined])).toEqual([[1, true], [2, false]]);
    expect(await readFile(join(paths().definitionsDir, 'srv01.xml'), 'utf8')).toBe(asLibvirt(withVcpus(4)));
  });

  it('skips a domain not defined on this node, and tries a failed report again next time', async () => {
    await provisionedAt(v1);
    const absent = fakeVirsh(undefined);
    const report = async (): Promise<DefinitionReportAnswer> => { throw new Error('Striker answered 409'); };
    expect(await checkDefinitions({ run: absent.run, paths: paths(), report })).toEqual([{ server: 'srv01', outcome: 'absent' }]);
    const changed = fakeVirsh(withVcpus(4));
    expect(await checkDefinitions({ run: changed.run, paths: paths(), report })).toEqual([{ server: 'srv01', outcome: 'failed', error: 'Striker answered 409' }]);
    expect(await checkDefinitions({ run: changed.run, paths: paths(), report })).toEqual([{ server: 'srv01', outcome: 'failed', error: 'Striker answered 409' }]);
  });
});
