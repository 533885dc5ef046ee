/**
 * Reads the parts of RPM repository metadata the package check needs: repomd.xml (where primary
 * and comps live), primary.xml (names, versions, provides, requires, the file provides listed in
 * primary) and comps.xml (groups with their mandatory and default packages). Pure parsers over
 * strings. A small duplicate of what repo-sync/ parses, kept here so kickstart checks work alone.
 */
import { DecodeError } from '../striker/core/errors/index.js';
import type { DepFlags, Evr } from './rpm-version.js';
import { scanXml } from './xml-scan.js';

export interface Dep extends Evr {
  name: string;
  flags?: DepFlags;
}

export interface RepoPackage extends Evr {
  name: string;
  arch: string;
  provides: Dep[];
  requires: Dep[];
  files: string[];
}

export interface CompsGroup {
  id: string;
  /** Mandatory and default packages (what `dnf install @group` installs). */
  packages: string[];
}

export interface RepomdIndex {
  /** href of each data type: primary, group, group_gz, filelists… */
  locations: Record<string, string>;
}

const depFlags = new Set(['EQ', 'LT', 'LE', 'GT', 'GE']);

export function parseRepomd(xml: string): RepomdIndex {
  const locations: Record<string, string> = {};
  let type: string | undefined;
  scanXml(xml, 'repomd.xml', (e) => {
    if (e.kind === 'open' && e.name === 'data') type = e.attrs.type;
    else if (e.kind === 'open' && e.name === 'location' && type !== undefined && e.attrs.href !== undefined) locations[type] = e.attrs.href;
    else if (e.kind === 'close' && e.name === 'data') type = undefined;
  });
  if (locations.primary === undefined) throw new DecodeError('no <data type="primary"> location', 'repomd.xml', 0);
  return { locations };
}

function depOf(attrs: Record<string, string>): Dep | undefined {
  const name = attrs.name;
  if (name === undefined) return undefined;
  const flags = attrs.flags !== undefined && depFlags.has(attrs.flags) ? (attrs.flags as DepFlags) : undefined;
  return { name, ...(flags === undefined ? {} : { flags }), ...(attrs.epoch === undefined ? {} : { epoch: attrs.epoch }), ...(attrs.ver === undefined ? {} : { ver: attrs.ver }), ...(attrs.rel === undefined ? {} : { rel: attrs.rel }) };
}

export function parsePrimary(xml: string): RepoPackage[] {
  const packages: RepoPackage[] = [];
  let cur: RepoPackage | undefined;
  let field: 'name' | 'arch' | 'file' | undefined;
  let list: 'provides' | 'requires' | undefined;
  let text = '';
  scanXml(xml, 'primary.xml', (e) => {
    if (e.kind === 'open') {
      if (e.name === 'package') cur = { name: '', arch: '', provides: [], requires: [], files: [] };
      else if (cur === undefined) return;
      else if (e.name === 'name' || e.name === 'arch' || e.name === 'file') { field = e.name; text = ''; }
      else if (e.name === 'version') { cur.epoch = e.attrs.epoch ?? '0'; cur.ver = e.attrs.ver ?? ''; cur.rel = e.attrs.rel ?? ''; }
      else if (e.name === 'rpm:provides') list = 'provides';
      else if (e.name === 'rpm:requires') list = 'requires';
      else if (e.name === 'rpm:entry' && list !== undefined) {
        const dep = depOf(e.attrs);
        if (dep !== undefined) cur[list].push(dep);
      }
    } else if (e.kind === 'text') {
      if (field !== undefined) text += e.text;
    } else if (cur !== undefined) {
      if (e.name === field) {
        if (field === 'file') cur.files.push(text.trim());
        else cur[field] = text.trim();
        field = undefined;
      } else if (e.name === 'rpm:provides' || e.name === 'rpm:requires') list = undefined;
      else if (e.name === 'package') { packages.push(cur); cur = undefined; }
    }
  });
  return packages;
}

export function parseComps(xml: string): CompsGroup[] {
  const groups: CompsGroup[] = [];
  let cur: CompsGroup | undefined;
  let depth: 'id' | 'packagereq' | undefined;
  let keep = false;
  let text = '';
  scanXml(xml, 'comps.xml', (e) => {
    if (e.kind === 'open') {
      if (e.name === 'group') cur = { id: '', packages: [] };
      else if (cur !== undefined && e.name === 'id') { depth = 'id'; text = ''; }
      else if (cur !== undefined && e.name === 'packagereq') {
        depth = 'packagereq';
        text = '';
        keep = e.attrs.type === undefined || e.attrs.type === 'mandatory' || e.attrs.type === 'default';
      }
    } else if (e.kind === 'text') {
      if (depth !== undefined) text += e.text;
    } else if (cur !== undefined) {
      if (e.name === 'id' && depth === 'id') { cur.id = text.trim(); depth = undefined; }
      else if (e.name === 'packagereq') { if (keep) cur.packages.push(text.trim()); depth = undefined; }
      else if (e.name === 'group') { groups.push(cur); cur = undefined; }
    }
  });
  return groups;
}
