/**
 * primary.xml (namespace http://linux.duke.edu/metadata/common, `rpm:` prefix for
 * http://linux.duke.edu/metadata/rpm): one `<package type="rpm">` per RPM. Streaming: feed it
 * decompressed chunks; it yields packages as soon as each `</package>` closes, so memory stays
 * bounded by one package, not the file (60,000-package repos are ~100 MB of XML).
 */
import { DecodeError, StrikerError } from '../../striker/core/errors/index.js';
import { parseChecksum, type Checksum } from './checksum.js';
import { checkLocationHref } from './location-href.js';
import { depFlags, type DepFlags, type Evr } from './rpm-version.js';
import { XmlReader } from './xml-reader.js';

export interface Dependency extends Evr {
  name: string;
  flags?: DepFlags;
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
  /** The `<file>` entries primary lists (binaries and /etc paths: what file requires name). */
  files: readonly string[];
  /** `<location xml:base=…>`: the file lives elsewhere; such metadata must not be republished verbatim. */
  xmlBase?: string;
}

export interface ParsePrimaryOptions {
  /** Names the document in errors (default `primary.xml`), e.g. the path it was read from. */
  file?: string;
  /** Keep requires, provides and files (default true). A sync plan needs none; dropping them halves memory. */
  withDependencies?: boolean;
}

type Draft = { xmlBase?: string; name?: string; arch?: string; epoch?: string; version?: string; release?: string; checksum?: Checksum; href?: string; size?: number; requires: Dependency[]; provides: Dependency[]; files: string[] };

/** Elements whose text a package keeps. */
const textFields = new Set(['name', 'arch', 'checksum', 'file']);

/** Parses primary.xml from a stream of text chunks, yielding one PackageEntry per `<package>`. */
export async function* parsePrimary(chunks: AsyncIterable<string | Buffer>, options: ParsePrimaryOptions = {}): AsyncGenerator<PackageEntry> {
  const withDeps = options.withDependencies ?? true;
  const file = options.file ?? 'primary.xml';
  const ready: PackageEntry[] = [];
  let draft: Draft | undefined;
  let depList: Dependency[] | undefined;
  let text: string | undefined;
  let checksumType: string | undefined;
  let declared: number | undefined;
  let count = 0;

  const reader = new XmlReader(file, {
    open(name, attributes, depth) {
      if (depth === 1) {
        if (name !== 'metadata') throw new DecodeError(`root element must be <metadata> — got <${name}>`, file, reader.offset);
        const n = Number(attributes['packages']);
        if (Number.isInteger(n)) declared = n;
        return;
      }
      if (name === 'package') { draft = { requires: [], provides: [], files: [] }; return; }
      if (draft === undefined) return;
      if (textFields.has(name)) { text = ''; if (name === 'checksum') checksumType = attributes['type']; return; }
      switch (name) {
        case 'version':
          draft.epoch = attributes['epoch'] ?? '0'; draft.version = attributes['ver']; draft.release = attributes['rel'];
          if (!/^\d+$/.test(draft.epoch)) throw new DecodeError(`<package ${draft.name ?? '?'}> <version epoch=…> must be digits — got '${draft.epoch.slice(0, 40)}'`, file, reader.offset);
          break;
        case 'location':
          draft.href = checkLocationHref(attributes['href'] ?? '', `${file} package ${draft.name ?? '?'} location href`);
          if (attributes['xml:base']) draft.xmlBase = attributes['xml:base'];
          break;
        case 'size': draft.size = Number(attributes['package']); break;
        case 'rpm:requires': if (withDeps) depList = draft.requires; break;
        case 'rpm:provides': if (withDeps) depList = draft.provides; break;
        case 'rpm:entry': if (depList) depList.push(dependencyOf(attributes, draft.name, file, reader.offset)); break;
      }
    },
    text(t) { if (text !== undefined) text += t; },
    close(name) {
      if (!draft) return;
      switch (name) {
        case 'name': draft.name = text?.trim(); break;
        case 'arch': draft.arch = text?.trim(); break;
        case 'checksum': draft.checksum = parseChecksum(checksumType, text ?? '', `${file} package ${draft.name ?? '?'} checksum`); break;
        case 'file': if (withDeps) draft.files.push((text ?? '').trim()); break;
        case 'rpm:requires': case 'rpm:provides': depList = undefined; break;
        case 'package': ready.push(finish(draft, file, reader.offset)); draft = undefined; count += 1; break;
      }
      text = undefined;
    },
  });

  for await (const chunk of chunks) {
    reader.write(chunk);
    while (ready.length > 0) yield ready.shift()!;
  }
  reader.end();
  while (ready.length > 0) yield ready.shift()!;
  if (declared !== undefined && declared !== count) {
    throw new DecodeError(`<metadata packages="${declared}"> but ${count} <package> elements were found (truncated?)`, file, reader.offset);
  }
}

function dependencyOf(a: Readonly<Record<string, string>>, pkg: string | undefined, file: string, offset: number): Dependency {
  const name = a['name'];
  if (name === undefined || name === '') throw new DecodeError(`<package ${pkg ?? '?'}> has an <rpm:entry> without a name`, file, offset);
  const flags = a['flags'];
  if (flags !== undefined && !(depFlags as readonly string[]).includes(flags)) {
    throw new DecodeError(`<package ${pkg ?? '?'}> <rpm:entry name="${name.slice(0, 200)}"> flags must be one of ${depFlags.join(', ')} — got '${flags.slice(0, 40)}'`, file, offset);
  }
  const d: Dependency = { name };
  if (flags !== undefined) d.flags = flags as DepFlags;
  if (a['epoch'] !== undefined) d.epoch = a['epoch'];
  if (a['ver'] !== undefined) d.version = a['ver'];
  if (a['rel'] !== undefined) d.release = a['rel'];
  return d;
}

function finish(d: Draft, file: string, offset: number): PackageEntry {
  const missing = (['name', 'arch', 'version', 'release', 'checksum', 'href'] as const).filter((k) => d[k] === undefined || d[k] === '');
  if (missing.length > 0) throw new DecodeError(`<package ${d.name ?? ''}> lacks ${missing.join(', ')}`, file, offset);
  if (/^repodata\//i.test(d.href!)) {
    throw new StrikerError('REPO_VERIFY_FAILED', `${file} package ${d.name} location href '${d.href}' refused: packages may not live under repodata/`, { details: { href: d.href } });
  }
  if (d.size === undefined || !Number.isSafeInteger(d.size) || d.size < 0) throw new DecodeError(`<package ${d.name}> has no valid <size package=…>`, file, offset);
  return Object.freeze({
    name: d.name!, arch: d.arch!, epoch: d.epoch ?? '0', version: d.version!, release: d.release!,
    checksum: d.checksum!, href: d.href!, size: d.size, requires: Object.freeze(d.requires), provides: Object.freeze(d.provides), files: Object.freeze(d.files),
    ...(d.xmlBase !== undefined ? { xmlBase: d.xmlBase } : {}),
  });
}

export function nevra(p: Pick<PackageEntry, 'name' | 'epoch' | 'version' | 'release' | 'arch'>): string {
  return `${p.name}-${p.epoch === '0' ? '' : `${p.epoch}:`}${p.version}-${p.release}.${p.arch}`;
}
