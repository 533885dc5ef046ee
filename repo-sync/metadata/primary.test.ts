import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DecodeError } from '../../striker/core/errors/index.js';
import { hostileDocuments } from '../../test/fixtures/repo/hostile-xml.js';
import { nevra, parsePrimary, type PackageEntry } from './primary.js';

const two = readFileSync(new URL('../../test/fixtures/repo/primary-two.xml', import.meta.url));
const deps = readFileSync(new URL('../../test/fixtures/repo/primary-deps.xml', import.meta.url));

async function* chunked(bytes: Buffer, size: number): AsyncGenerator<Buffer> {
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

async function collect(it: AsyncIterable<PackageEntry>): Promise<PackageEntry[]> {
  const out: PackageEntry[] = [];
  for await (const p of it) out.push(p);
  return out;
}

describe('parsePrimary', () => {
  it('extracts NEVRA, checksum, href, size, requires and provides', async () => {
    const [a, b] = await collect(parsePrimary(chunked(two, 65536)));
    expect(a).toEqual({
      name: 'alpha', arch: 'noarch', epoch: '0', version: '1.0', release: '1', size: 6061,
      checksum: { algorithm: 'sha256', value: '9f2c4b7d1e0a3f5c6b8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b' },
      href: 'Packages/alpha-1.0-1.noarch.rpm', requires: [], provides: [{ name: 'alpha', flags: 'EQ', epoch: '0', version: '1.0', release: '1' }], files: [],
    });
    expect(b!.checksum).toEqual({ algorithm: 'sha1', value: '0123456789abcdef0123456789abcdef01234567' });
    expect(b!.requires).toEqual([{ name: 'alpha', flags: 'GE', epoch: '0', version: '1.0' }, { name: '/bin/sh' }]);
    expect(b!.provides.map((d) => d.name)).toEqual(['beta', 'config(beta)']);
    expect(nevra(b!)).toBe('beta-2:1.0-3.el9.noarch');
  });

  it('gives the same result whatever the chunk boundaries (even inside a UTF-8 character)', async () => {
    const whole = await collect(parsePrimary(chunked(two, 1 << 20)));
    for (const size of [1, 3, 7, 64, 333]) expect(await collect(parsePrimary(chunked(two, size)))).toEqual(whole);
  });

  it('drops dependency lists when asked', async () => {
    const [a] = await collect(parsePrimary(chunked(two, 100), { withDependencies: false }));
    expect(a!.provides).toEqual([]);
    const [withFiles] = await collect(parsePrimary(chunked(deps, 100), { withDependencies: false }));
    expect(withFiles!.files).toEqual([]);
  });

  it('reads what the kickstart package check needs: every arch, provides, requires and files', async () => {
    const pkgs = await collect(parsePrimary(chunked(deps, 97)));
    expect(pkgs.map((p) => `${p.name}.${p.arch}`)).toEqual(['alpha.noarch', 'beta.x86_64', 'gamma.x86_64', 'src-only.src']);
    expect(pkgs[0]).toMatchObject({ epoch: '0', version: '1.0', release: '1', files: ['/usr/bin/alpha'], provides: [{ name: 'alpha', flags: 'EQ', version: '1.0' }, { name: 'libalpha.so.1()(64bit)' }] });
    expect(pkgs[1]?.requires[0]).toEqual({ name: 'alpha', flags: 'GE', epoch: '0', version: '2.0' });
  });

  it('only ever throws DecodeError on random fragments', async () => {
    for (const xml of hostileDocuments()) {
      try { await collect(parsePrimary(chunked(Buffer.from(xml), 7))); } catch (error) { expect(error).toBeInstanceOf(DecodeError); }
    }
  });

  it('yields packages while the stream is still open (bounded memory)', async () => {
    const header = '<metadata packages="3">';
    const pkg = (n: number) => `<package type="rpm"><name>p${n}</name><arch>noarch</arch><version epoch="0" ver="1" rel="1"/><checksum type="sha256">${String(n).repeat(64).slice(0, 64)}</checksum><size package="1"/><location href="p${n}.rpm"/></package>`;
    let fed = 0;
    async function* source() {
      fed++; yield header;
      for (let n = 1; n <= 3; n++) { fed++; yield pkg(n); }
      fed++; yield '</metadata>';
    }
    const seenAt: number[] = [];
    for await (const _p of parsePrimary(source())) seenAt.push(fed);
    expect(seenAt).toEqual([2, 3, 4]);
  });

  it.each([
    ['a traversal href', two.toString().replace('Packages/alpha-1.0-1.noarch.rpm', 'Packages/../../../etc/shadow'), /refused: it contains a '\.\.' segment/],
    ['an absolute href', two.toString().replace('Packages/alpha-1.0-1.noarch.rpm', '/etc/shadow'), /refused: it is an absolute path/],
    ['a URL href', two.toString().replace('Packages/alpha-1.0-1.noarch.rpm', 'https://elsewhere.example/x.rpm'), /refused: it is a URL with a scheme/],
    ['a package href under repodata/', two.toString().replace('Packages/alpha-1.0-1.noarch.rpm', 'repodata/repomd.xml'), /'repodata\/repomd\.xml' refused: packages may not live under repodata\//],
    ['a truncated document', two.toString().slice(0, 900), /primary\.xml at offset \d+: not well-formed XML/],
    ['a package count mismatch', two.toString().replace('packages="2"', 'packages="5"'), /packages="5"> but 2 <package> elements/],
    ['a package without checksum', two.toString().replace(/<checksum type="sha" *>[^<]+<\/checksum>/, '').replace(/<checksum type="sha">[^<]+<\/checksum>/, ''), /<package beta> lacks checksum/],
    ['a wrong root', '<repomd/>', /root element must be <metadata> — got <repomd>/],
    ['an empty document', '', /document must contain a root element/],
    ['a cut-off document (truncated download)', deps.toString().slice(0, 400), /primary\.xml at offset \d+: not well-formed XML: unclosed tag: \w+/],
    ['an <rpm:entry> without a name', deps.toString().replace('<rpm:entry name="/usr/bin/alpha"/>', '<rpm:entry/>'), /<package gamma> has an <rpm:entry> without a name/],
    ['unknown dependency flags', deps.toString().replace('flags="GE"', 'flags="GREATER"'), /<package beta> <rpm:entry name="alpha"> flags must be one of EQ, LT, LE, GT, GE — got 'GREATER'/],
    ['a non-numeric epoch', deps.toString().replace('<version epoch="0" ver="2.0"', '<version epoch="two" ver="2.0"'), /<package beta> <version epoch=…> must be digits — got 'two'/],
    ['a package without version attributes', deps.toString().replace('<version epoch="0" ver="1" rel="1"/>', '<version/>'), /<package src-only> lacks version, release/],
    ['a mis-nested end tag', deps.toString().replace('</name><arch>noarch', '</arch><arch>noarch'), /not well-formed XML: <\/arch> does not close <name> \(line 3, column \d+\)/],
    ['an entity bomb', `<!DOCTYPE m [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]><metadata packages="1"><package><name>&c;</name></package></metadata>`, /not well-formed XML: undefined entity \(line 1, column \d+\); entities declared in a DOCTYPE are never expanded/],
  ])('refuses %s', async (_n, xml, message) => {
    await expect(collect(parsePrimary(chunked(Buffer.from(xml), 50)))).rejects.toThrow(message);
  });
});
