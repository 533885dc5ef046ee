import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DecodeError } from '../../striker/core/errors/index.js';
import { hostileDocuments } from '../../test/fixtures/repo/hostile-xml.js';
import { parseRepomd, recordOf } from './repomd.js';

const alma = readFileSync(new URL('../../test/fixtures/repo/repomd-alma.xml', import.meta.url), 'utf8');

describe('parseRepomd', () => {
  it('reads every record with location, checksum, open-checksum and size', () => {
    const r = parseRepomd(alma);
    expect(r.revision).toBe('1700000000');
    expect(r.records.map((x) => x.type)).toEqual(['primary', 'group', 'modules']);
    expect(recordOf(r, 'primary')).toEqual({
      type: 'primary', href: 'repodata/1111-primary.xml.gz', size: 1234,
      checksum: { algorithm: 'sha256', value: '1'.repeat(64) }, openChecksum: { algorithm: 'sha256', value: '2'.repeat(64) },
    });
    expect(recordOf(r, 'modules')?.checksum.algorithm).toBe('sha512');
  });

  it.each([
    ['not XML', '<repomd><data', /DECODE_FAILED|not well-formed/],
    ['wrong root', '<html/>', /root element must be <repomd> — got <html>/],
    ['no primary', '<repomd><revision>1</revision></repomd>', /no <data type="primary"> record/],
    ['record without checksum', '<repomd><data type="primary"><location href="a.xml"/></data></repomd>', /needs <location href> and <checksum>/],
    ['bad checksum type', '<repomd><data type="primary"><checksum type="md5">abc</checksum><location href="a"/></data></repomd>', /checksum type must be one of/],
    ['short checksum', '<repomd><data type="primary"><checksum type="sha256">abc</checksum><location href="a"/></data></repomd>', /sha256 checksum must be 64 hex digits — got 'abc'/],
  ])('refuses %s', (_name, xml, message) => {
    expect(() => parseRepomd(xml)).toThrow(message);
  });

  it('reads the location of every record type (primary, group…)', () => {
    const sum = `<checksum type="sha256">${'a'.repeat(64)}</checksum>`;
    const r = parseRepomd(`<repomd><data type="primary">${sum}<location href="repodata/p.xml.gz"/></data><data type="group">${sum}<location href="repodata/c.xml"/></data></repomd>`);
    expect(r.records.map((x) => [x.type, x.href])).toEqual([['primary', 'repodata/p.xml.gz'], ['group', 'repodata/c.xml']]);
  });

  it('refuses mis-nested XML with the offset, and an index without primary', () => {
    expect(() => parseRepomd('<repomd><data></repomd>')).toThrow(/repomd\.xml at offset 23: not well-formed XML: <\/repomd> does not close <data>/);
    expect(() => parseRepomd('<repomd/>')).toThrow(/no <data type="primary">/);
  });

  it('only ever throws DecodeError on random fragments', () => {
    for (const xml of hostileDocuments()) {
      try { parseRepomd(xml); } catch (error) { expect(error).toBeInstanceOf(DecodeError); }
    }
  });

  it('refuses a traversal href in a record', () => {
    const xml = alma.replace('repodata/1111-primary.xml.gz', '../../primary.xml.gz');
    expect(() => parseRepomd(xml)).toThrow(/repomd\.xml primary location href '\.\.\/\.\.\/primary\.xml\.gz' refused: it contains a '\.\.' segment/);
  });
});
