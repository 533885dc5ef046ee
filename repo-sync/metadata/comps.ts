/**
 * comps.xml (repomd record `group` or `group_gz`; libcomps' format): the package groups that
 * `dnf install @group` and a kickstart's `%packages` `@group` lines name. Each `<group>` has an
 * `<id>` and a `<packagelist>` of `<packagereq type="mandatory|default|optional|conditional">`.
 * A group installs its mandatory and default packages (a packagereq without a type is
 * mandatory); optional and conditional ones only on request. Categories and environments are
 * not read. Streams like primary.xml; only the groups are kept.
 */
import { DecodeError } from '../../striker/core/errors/index.js';
import { XmlReader } from './xml-reader.js';

export interface CompsGroup {
  id: string;
  /** Mandatory and default packages (what `dnf install @group` installs). */
  packages: readonly string[];
}

const packagereqTypes = new Set(['mandatory', 'default', 'optional', 'conditional']);

export async function parseComps(chunks: AsyncIterable<string | Buffer> | string, file = 'comps.xml'): Promise<CompsGroup[]> {
  const groups: CompsGroup[] = [];
  let group: { id?: string; packages: string[] } | undefined;
  let text: string | undefined;
  let installs = false;

  const reader = new XmlReader(file, {
    open(name, attributes, depth) {
      if (depth === 1) {
        if (name !== 'comps') throw new DecodeError(`root element must be <comps> — got <${name}>`, file, reader.offset);
      } else if (depth === 2 && name === 'group') {
        group = { packages: [] };
      } else if (group !== undefined && ((depth === 3 && name === 'id') || name === 'packagereq')) {
        text = '';
        if (name === 'packagereq') {
          const type = attributes['type'] ?? 'mandatory';
          if (!packagereqTypes.has(type)) {
            throw new DecodeError(`<group ${group.id ?? '?'}> <packagereq type=…> must be one of ${[...packagereqTypes].join(', ')} — got '${type.slice(0, 40)}'`, file, reader.offset);
          }
          installs = type === 'mandatory' || type === 'default';
        }
      }
    },
    text(t) { if (text !== undefined) text += t; },
    close(name, depth) {
      if (group === undefined) return;
      if (depth === 3 && name === 'id') group.id = (text ?? '').trim();
      else if (name === 'packagereq') {
        const pkg = (text ?? '').trim();
        if (pkg === '') throw new DecodeError(`<group ${group.id ?? '?'}> has an empty <packagereq>`, file, reader.offset);
        if (installs) group.packages.push(pkg);
      } else if (depth === 2 && name === 'group') {
        if (group.id === undefined || group.id === '') throw new DecodeError('<group> without an <id>', file, reader.offset);
        groups.push(Object.freeze({ id: group.id, packages: Object.freeze(group.packages) }));
        group = undefined;
      }
      text = undefined;
    },
  });
  await reader.readAll(chunks);
  return groups;
}
