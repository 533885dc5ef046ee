/**
 * repomd.xml: the index of a yum/dnf repository (createrepo_c's `repomd.xml`, namespace
 * http://linux.duke.edu/metadata/repo). Each `<data type="…">` record names one metadata file
 * (primary, filelists, other, group, modules, updateinfo…) with its location and checksum.
 * Pure: takes the text (repomd is small; refused above 4 MiB), returns frozen data.
 */
import { DecodeError } from '../../striker/core/errors/index.js';
import { parseChecksum, type Checksum } from './checksum.js';
import { checkLocationHref } from './location-href.js';
import { XmlReader } from './xml-reader.js';

export interface RepomdRecord {
  type: string;
  href: string;
  checksum: Checksum;
  openChecksum?: Checksum;
  size?: number;
  /** `<location xml:base=…>`: the file lives elsewhere. */
  xmlBase?: string;
}

export interface Repomd {
  revision?: string;
  records: readonly RepomdRecord[];
}

export const maxRepomdBytes = 4 * 1024 * 1024;

export function parseRepomd(xml: string): Repomd {
  if (xml.length > maxRepomdBytes) throw new DecodeError(`repomd.xml is larger than ${maxRepomdBytes} bytes`, 'repomd.xml', 0);
  const records: RepomdRecord[] = [];
  let revision: string | undefined;
  let current: { type: string; xmlBase?: string; href?: string; checksum?: Checksum; openChecksum?: Checksum; size?: number } | undefined;
  let text = '';
  let textAttrs: Readonly<Record<string, string>> = {};

  const reader = new XmlReader('repomd.xml', {
    open(name, attributes, depth) {
      text = '';
      textAttrs = attributes;
      if (depth === 1) {
        if (name !== 'repomd') throw new DecodeError(`root element must be <repomd> — got <${name}>`, 'repomd.xml', reader.offset);
      } else if (depth === 2 && name === 'data') {
        current = { type: attributes['type'] ?? '' };
      } else if (current !== undefined && name === 'location') {
        current.href = checkLocationHref(attributes['href'] ?? '', `repomd.xml ${current.type} location href`);
        if (attributes['xml:base']) current.xmlBase = attributes['xml:base'];
      }
    },
    text(t) { text += t; },
    close(name, depth) {
      if (depth === 2 && name === 'revision') revision = text.trim();
      if (current === undefined) return;
      const field = `repomd.xml ${current.type} ${name}`;
      if (name === 'checksum') current.checksum = parseChecksum(textAttrs['type'], text, field);
      else if (name === 'open-checksum') current.openChecksum = parseChecksum(textAttrs['type'], text, field);
      else if (name === 'size') current.size = Number(text.trim());
      else if (name === 'data') {
        if (current.type === '') throw new DecodeError('<data> without a type attribute', 'repomd.xml', reader.offset);
        if (current.href === undefined || current.checksum === undefined) {
          throw new DecodeError(`<data type="${current.type}"> needs <location href> and <checksum>`, 'repomd.xml', reader.offset);
        }
        records.push(Object.freeze({ type: current.type, href: current.href, checksum: current.checksum,
          ...(current.openChecksum ? { openChecksum: current.openChecksum } : {}),
          ...(current.size !== undefined && Number.isFinite(current.size) ? { size: current.size } : {}),
          ...(current.xmlBase !== undefined ? { xmlBase: current.xmlBase } : {}) }));
        current = undefined;
      }
    },
  });
  reader.write(xml);
  reader.end();
  if (!records.some((r) => r.type === 'primary')) throw new DecodeError('no <data type="primary"> record', 'repomd.xml', 0);
  return Object.freeze({ ...(revision ? { revision } : {}), records: Object.freeze(records) });
}

export function recordOf(repomd: Repomd, type: string): RepomdRecord | undefined {
  return repomd.records.find((r) => r.type === type);
}
