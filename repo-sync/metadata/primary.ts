/**
 * primary.xml (namespace http://linux.duke.edu/metadata/common, `rpm:` prefix for
 * http://linux.duke.edu/metadata/rpm): one `<package type="rpm">` per RPM. Streaming: feed it
 * decompressed chunks; it yields packages as soon as each `</package>` closes, so memory stays
 * bounded by one package, not the file (60,000-package repos are ~100 MB of XML).
 */
import { StringDecoder } from 'node:string_decoder';
import { SaxesParser, type SaxesTagPlain } from 'saxes';
import { DecodeError, StrikerError } from '../../striker/core/errors/index.js';
import { parseChecksum, type Checksum } from './checksum.js';
import { checkLocationHref } from './location-href.js';

export interface Dependency {
  name: string;
  flags?: string;
  epoch?: string;
  version?: string;
  release?: string;
}

export interface PackageEntry {
  name: string;
  arch: string;
  epoch: string;
  version: string;
  release: string;
  checksum: Checksum;
  href: string;
  /** The RPM file's size in bytes (`<size package=…>`). */
  size: number;
  requires: readonly Dependency[];
  provides: readonly Dependency[];
  /** `<location xml:base=…>`: the file lives elsewhere; such metadata must not be republished verbatim. */
  xmlBase?: string;
}

export interface ParsePrimaryOptions {
  /** Keep requires/provides (default true). A sync plan needs neither; dropping them halves memory. */
  withDependencies?: boolean;
}

type Draft = { xmlBase?: string; name?: string; arch?: string; epoch?: string; version?: string; release?: string; checksum?: Checksum; href?: string; size?: number; requires: Dependency[]; provides: Dependency[] };

/** Parses primary.xml from a stream of text chunks, yielding one PackageEntry per `<package>`. */
export async function* parsePrimary(chunks: AsyncIterable<string | Buffer>, options: ParsePrimaryOptions = {}): AsyncGenerator<PackageEntry> {
  const withDeps = options.withDependencies ?? true;
  const parser = new SaxesParser({ xmlns: false, position: true });
  const ready: PackageEntry[] = [];
  let draft: Draft | undefined;
  let depList: Dependency[] | undefined;
  let text = '';
  let attrs: Record<string, string> = {};
  let root: string | undefined;
  let declared: number | undefined;
  let count = 0;
  const decoder = new StringDecoder('utf8');

  parser.on('opentag', (tag: SaxesTagPlain) => {
    text = '';
    attrs = tag.attributes;
    if (root === undefined) {
      root = tag.name;
      if (root !== 'metadata') throw new DecodeError(`root element must be <metadata> — got <${root}>`, 'primary.xml', parser.position);
      const n = Number(tag.attributes['packages']);
      if (Number.isInteger(n)) declared = n;
      return;
    }
    switch (tag.name) {
      case 'package': draft = { requires: [], provides: [] }; break;
      case 'version':
        if (draft) { draft.epoch = tag.attributes['epoch'] ?? '0'; draft.version = tag.attributes['ver']; draft.release = tag.attributes['rel']; }
        break;
      case 'location':
        if (draft) {
          draft.href = checkLocationHref(tag.attributes['href'] ?? '', `primary.xml package ${draft.name ?? '?'} location href`);
          if (tag.attributes['xml:base']) draft.xmlBase = tag.attributes['xml:base'];
        }
        break;
      case 'size':
        if (draft) draft.size = Number(tag.attributes['package']);
        break;
      case 'rpm:requires': if (draft && withDeps) depList = draft.requires; break;
      case 'rpm:provides': if (draft && withDeps) depList = draft.provides; break;
      case 'rpm:entry':
        if (depList) depList.push(dependencyOf(tag.attributes));
        break;
    }
  });
  parser.on('text', (t) => { if (draft) text += t; });
  parser.on('closetag', (tag: SaxesTagPlain) => {
    if (!draft) return;
    switch (tag.name) {
      case 'name': draft.name = text.trim(); break;
      case 'arch': draft.arch = text.trim(); break;
      case 'checksum': draft.checksum = parseChecksum(attrs['type'], text, `primary.xml package ${draft.name ?? '?'} checksum`); break;
      case 'rpm:requires': case 'rpm:provides': depList = undefined; break;
      case 'package': ready.push(finish(draft, parser.position)); draft = undefined; count += 1; break;
    }
  });

  try {
    for await (const chunk of chunks) {
      parser.write(typeof chunk === 'string' ? chunk : decoder.write(chunk));
      while (ready.length > 0) yield ready.shift()!;
    }
    parser.write(decoder.end());
    parser.close();
  } catch (error) {
    if (error instanceof StrikerError) throw error;
    throw new DecodeError(`not well-formed XML: ${(error as Error).message}`, 'primary.xml', parser.position);
  }
  while (ready.length > 0) yield ready.shift()!;
  if (root === undefined) throw new DecodeError('empty document', 'primary.xml', 0);
  if (declared !== undefined && declared !== count) {
    throw new DecodeError(`<metadata packages="${declared}"> but ${count} <package> elements were found (truncated?)`, 'primary.xml', parser.position);
  }
}

function dependencyOf(a: Record<string, string>): Dependency {
  const d: Dependency = { name: a['name'] ?? '' };
  if (a['flags'] !== undefined) d.flags = a['flags'];
  if (a['epoch'] !== undefined) d.epoch = a['epoch'];
  if (a['ver'] !== undefined) d.version = a['ver'];
  if (a['rel'] !== undefined) d.release = a['rel'];
  return d;
}

function finish(d: Draft, offset: number): PackageEntry {
  const missing = (['name', 'arch', 'version', 'release', 'checksum', 'href'] as const).filter((k) => d[k] === undefined || d[k] === '');
  if (missing.length > 0) throw new DecodeError(`<package ${d.name ?? ''}> lacks ${missing.join(', ')}`, 'primary.xml', offset);
  if (/^repodata\//i.test(d.href!)) {
    throw new StrikerError('REPO_VERIFY_FAILED', `primary.xml package ${d.name} location href '${d.href}' refused: packages may not live under repodata/`, { details: { href: d.href } });
  }
  if (d.size === undefined || !Number.isSafeInteger(d.size) || d.size < 0) throw new DecodeError(`<package ${d.name}> has no valid <size package=…>`, 'primary.xml', offset);
  return Object.freeze({
    name: d.name!, arch: d.arch!, epoch: d.epoch ?? '0', version: d.version!, release: d.release!,
    checksum: d.checksum!, href: d.href!, size: d.size, requires: Object.freeze(d.requires), provides: Object.freeze(d.provides),
    ...(d.xmlBase !== undefined ? { xmlBase: d.xmlBase } : {}),
  });
}

export function nevra(p: Pick<PackageEntry, 'name' | 'epoch' | 'version' | 'release' | 'arch'>): string {
  return `${p.name}-${p.epoch === '0' ? '' : `${p.epoch}:`}${p.version}-${p.release}.${p.arch}`;
}
