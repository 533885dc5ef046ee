/**
 * `.treeinfo` (productmd treeinfo 1.x, an INI file) at the root of a RHEL/Alma/Rocky installation
 * tree: names the kernel and initrd per arch (`[images-<arch>]`), the Anaconda stage2
 * (`[stage2] mainimage`), the variants with their repos (`[variant-BaseOS] repository = BaseOS`)
 * and checksums of the images (`[checksums] path = sha256:hex`). Pure.
 */
import { DecodeError } from '../../striker/core/errors/index.js';
import { parseChecksum, type Checksum } from '../metadata/checksum.js';
import { checkLocationHref } from '../metadata/location-href.js';

export type IniSections = ReadonlyMap<string, ReadonlyMap<string, string>>;

export function parseIni(text: string, label: string): IniSections {
  const sections = new Map<string, Map<string, string>>();
  let current: Map<string, string> | undefined;
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) return;
    const header = /^\[([^\]]+)\]$/.exec(line);
    if (header) {
      current = new Map();
      sections.set(header[1]!.trim(), current);
      return;
    }
    const eq = line.indexOf('=');
    if (eq <= 0 || current === undefined) throw new DecodeError(`line ${index + 1} is neither '[section]' nor 'key = value': '${line.slice(0, 80)}'`, label, index + 1);
    current.set(line.slice(0, eq).trim(), line.slice(eq + 1).trim());
  });
  return sections;
}

export interface TreeVariant {
  id: string;
  /** Repo directory relative to the tree root, e.g. `BaseOS`. */
  repository: string;
}

export interface TreeInfo {
  family: string;
  version: string;
  arch: string;
  kernel: string;
  initrd: string;
  stage2?: string;
  variants: readonly TreeVariant[];
  checksums: ReadonlyMap<string, Checksum>;
}

export function parseTreeinfo(text: string): TreeInfo {
  const label = '.treeinfo';
  const ini = parseIni(text, label);
  const general = ini.get('general') ?? new Map<string, string>();
  const release = ini.get('release') ?? new Map<string, string>();
  const tree = ini.get('tree') ?? new Map<string, string>();
  const arch = tree.get('arch') ?? general.get('arch');
  if (!arch) throw new DecodeError('no arch in [tree] or [general]', label, 0);
  const images = ini.get(`images-${arch}`);
  const kernel = images?.get('kernel');
  const initrd = images?.get('initrd');
  if (!kernel || !initrd) throw new DecodeError(`[images-${arch}] must name kernel and initrd`, label, 0);
  const variants: TreeVariant[] = [];
  const variantIds = (tree.get('variants') ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  for (const [name, section] of ini) {
    if (!name.startsWith('variant-')) continue;
    const id = section.get('id') ?? name.slice('variant-'.length);
    if (variantIds.length > 0 && !variantIds.includes(id)) continue;
    const repository = section.get('repository');
    if (repository) variants.push({ id, repository: checkLocationHref(repository.replace(/\/$/, '') || '.', `.treeinfo [${name}] repository`) });
  }
  if (variants.length === 0 && general.get('repository')) {
    variants.push({ id: general.get('variant') ?? 'main', repository: checkLocationHref(general.get('repository')!, '.treeinfo [general] repository') });
  }
  const checksums = new Map<string, Checksum>();
  for (const [path, value] of ini.get('checksums') ?? new Map<string, string>()) {
    const [type, hex] = value.split(':');
    checksums.set(checkLocationHref(path, '.treeinfo [checksums]'), parseChecksum(type, hex ?? '', `.treeinfo [checksums] ${path}`));
  }
  const stage2 = ini.get('stage2')?.get('mainimage');
  return {
    family: release.get('name') ?? general.get('family') ?? 'unknown',
    version: release.get('version') ?? general.get('version') ?? 'unknown',
    arch,
    kernel: checkLocationHref(kernel, '.treeinfo kernel'),
    initrd: checkLocationHref(initrd, '.treeinfo initrd'),
    ...(stage2 ? { stage2: checkLocationHref(stage2, '.treeinfo stage2') } : {}),
    variants,
    checksums,
  };
}
