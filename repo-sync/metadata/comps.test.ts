import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DecodeError } from '../../striker/core/errors/index.js';
import { hostileDocuments } from '../../test/fixtures/repo/hostile-xml.js';
import { parseComps } from './comps.js';

const comps = readFileSync(new URL('../../test/fixtures/repo/comps-core.xml', import.meta.url), 'utf8');

async function* chunked(text: string, size: number): AsyncGenerator<Buffer> {
  const bytes = Buffer.from(text);
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

describe('parseComps', () => {
  it('keeps each group with its mandatory and default packages (what @group installs)', async () => {
    expect(await parseComps(comps)).toEqual([{ id: 'core', packages: ['alpha', 'gamma'] }]);
  });

  it('gives the same groups whatever the chunk boundaries', async () => {
    for (const size of [1, 5, 64]) expect(await parseComps(chunked(comps, size))).toEqual([{ id: 'core', packages: ['alpha', 'gamma'] }]);
  });

  it('treats a packagereq without a type as mandatory and skips optional and conditional ones', async () => {
    const xml = '<comps><group><id>base</id><packagelist><packagereq>a</packagereq><packagereq type="conditional" requires="x">b</packagereq>'
      + '<packagereq type="optional">c</packagereq><packagereq type="default">d</packagereq></packagelist></group>'
      + '<category><id>cat</id><grouplist><groupid>base</groupid></grouplist></category></comps>';
    expect(await parseComps(xml)).toEqual([{ id: 'base', packages: ['a', 'd'] }]);
  });

  it.each([
    ['a wrong root', '<metadata/>', /comps\.xml at offset \d+: root element must be <comps> — got <metadata>/],
    ['a group without an id', '<comps><group><packagelist/></group></comps>', /<group> without an <id>/],
    ['an unknown packagereq type', '<comps><group><id>g</id><packagelist><packagereq type="maybe">a</packagereq></packagelist></group></comps>', /<group g> <packagereq type=…> must be one of mandatory, default, optional, conditional — got 'maybe'/],
    ['an empty packagereq', '<comps><group><id>g</id><packagelist><packagereq/></packagelist></group></comps>', /<group g> has an empty <packagereq>/],
    ['a truncated document', comps.slice(0, 200), /not well-formed XML: unclosed tag: /],
  ])('refuses %s', async (_name, xml, message) => {
    await expect(parseComps(xml)).rejects.toThrow(message);
  });

  it('only ever throws DecodeError on random fragments', async () => {
    for (const xml of hostileDocuments()) {
      try { await parseComps(xml); } catch (error) { expect(error).toBeInstanceOf(DecodeError); }
    }
  });
});
