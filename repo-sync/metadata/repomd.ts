/**
 * repomd.xml: the index of a yum/dnf repository (createrepo_c's `repomd.xml`, namespace
 * http://linux.duke.edu/metadata/repo). Each `<data type="…">` record names one metadata file
 * (primary, filelists, other, group, modules, updateinfo…) with its location and checksum.
 * Pure: takes the text (repomd is small; refused above 4 MiB), returns frozen data.
 */
import { SaxesParser, type SaxesTagPlain } from 'saxes';
import { DecodeError } from '../../striker/core/errors/index.js';
import { parseChecksum, type Checksum } from './checksum.js';
import { checkLocationHref } from './location-href.js';

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
  const parser = new SaxesParser({ xmlns: false, position: true });
  const records: RepomdRecord[] = [];
  let revision: string | undefined;
  let sawRoot = false;
  let current: { type: string; xmlBase?: string; href?: string; checksum?: Checksum; openChecksum?: Checksum; size?: number } | undefined;
  let text = '';
  let textAttrs: Record<string, string> = {};
  let depth = 0;

  parser.on('opentag', (tag: SaxesTagPlain) => {
    depth += 1;
    text = '';
    if (depth === 1) {
      if (tag.name !== 'repomd') throw new DecodeError(`root element must be <repomd> — got <${tag.name}>`, 'repomd.xml', parser.position);
      sawRoot = true;
    } else if (depth === 2 && tag.name === 'data') {
      current = { type: tag.attributes['type'] ?? '' };
    } else if (current !== undefined && tag.name === 'location') {
      current.href = checkLocationHref(tag.attributes['href'] ?? '', `repomd.xml ${current.type} location href`);
      if (tag.attributes['xml:base']) current.xmlBase = tag.attributes['xml:base'];
    }
    textAttrs = tag.attributes;
  });
  parser.on('text', (t) => { text += t; });
  parser.on('closetag', (tag: SaxesTagPlain) => {
    depth -= 1;
    if (depth === 1 && tag.name === 'revision') revision = text.trim();
    if (current !== undefined) {
      const field = `repomd.xml ${current.type} ${tag.name}`;
      if (tag.name === 'checksum') current.checksum = parseChecksum(textAttrs['type'], text, field);
      else if (tag.name === 'open-checksum') current.openChecksum = parseChecksum(textAttrs['type'], text, field);
      else if (tag.name === 'size') current.size = Number(text.trim());
      else if (tag.name === 'data') {
        if (current.type === '') throw new DecodeError('<data> without a type attribute', 'repomd.xml', parser.position);
        if (current.href === undefined || current.checksum === undefined) {
          throw new DecodeError(`<data type="${current.type}"> needs <location href> and <checksum>`, 'repomd.xml', parser.position);
        }
        records.push(Object.freeze({ type: current.type, href: current.href, checksum: current.checksum,
          ...(current.openChecksum ? { openChecksum: current.openChecksum } : {}),
          ...(current.size !== undefined && Number.isFinite(current.size) ? { size: current.size } : {}),
          ...(current.xmlBase !== undefined ? { xmlBase: current.xmlBase } : {}) }));
        current = undefined;
      }
    }
  });
  try {
    parser.write(xml).close();
  } catch (error) {
    if (error instanceof DecodeError || (error as { code?: string }).code === 'REPO_VERIFY_FAILED') throw error;
    throw new DecodeError(`not well-formed XML: ${(error as Error).message}`, 'repomd.xml', parser.position);
  }
  if (!sawRoot) throw new DecodeError('no <repomd> element', 'repomd.xml', 0);
  if (!records.some((r) => r.type === 'primary')) throw new DecodeError('no <data type="primary"> record', 'repomd.xml', 0);
  return Object.freeze({ ...(revision ? { revision } : {}), records: Object.freeze(records) });
}

export function recordOf(repomd: Repomd, type: string): RepomdRecord | undefined {
  return repomd.records.find((r) => r.type === type);
}
