/**
 * A server's libvirt definition as text that can be compared: `normaliseDomainXml` turns a domain
 * XML (the rendered one, or `virsh dumpxml --inactive` from a node) into a canonical form in which
 * what libvirt adds on its own does not count, and `definitionHash` is that form's SHA-256. Two
 * definitions with the same hash are the same definition. Pure.
 *
 * Left out, because libvirt fills them in on `virsh define` (or a node would differ from its peer):
 * - `<uuid>` (checked separately: it must be the server's id) and `<devices><emulator>`;
 * - every `<address>` and `<alias>` under `<devices>` (PCI, drive and USB addresses libvirt assigns);
 * - `<controller>` elements (libvirt adds the USB, SATA and PCI controllers a machine type needs);
 * - the implicit PS/2 `<input>`s and an `<audio type='none'>`;
 * - an interface's `<mac>` in QEMU's own range 52:54:00 (libvirt makes one per node when none
 *   was given; a MAC outside that range is the operator's and counts);
 * - the serial target's `type` and `<model>`, and the `<log>` libvirt copies into `<console>`;
 * - `<cpu check>`, a dynamic `<seclabel>`, `<resource>` with only the default partition, and
 *   `xmlns:*` declarations (libvirt moves them);
 * - with `<kernel>` boot, a lone `<boot dev='hd'/>`.
 * And made equal: memory sizes in KiB whatever the unit, the machine type without its QEMU
 * version (`pc-q35-7.2` is `q35`), devices in libvirt's order (their own order kept within a
 * kind), attributes sorted, text trimmed, no comments.
 *
 * `readDomainXml` reads a reported definition's name and uuid; a text that is not XML, not a
 * `<domain>`, or carries a DOCTYPE (entities are never expanded) is refused with a DecodeError.
 */
import { createHash } from 'node:crypto';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { orderedXmlOptions } from '../pacemaker-xml.js';
import { DecodeError } from '../../striker/core/errors/index.js';

/** The largest definition accepted from a node (bytes of UTF-8). */
export const maxDefinitionBytes = 256 * 1024;

interface Node {
  name: string;
  attrs: Record<string, string>;
  children: Node[];
  text: string;
}

const parser = new XMLParser({ ...orderedXmlOptions, commentPropName: '#comment' });

type Ordered = Record<string, unknown> & { ':@'?: Record<string, string> };

function toNode(entry: Ordered): Node | undefined {
  const name = Object.keys(entry).find((k) => k !== ':@');
  if (name === undefined || name === '#text' || name === '#comment') return undefined;
  const body = (entry[name] as Ordered[] | undefined) ?? [];
  const children: Node[] = [];
  let text = '';
  for (const child of body) {
    if ('#text' in child) text += String(child['#text']);
    else {
      const node = toNode(child);
      if (node !== undefined) children.push(node);
    }
  }
  return { name, attrs: { ...(entry[':@'] ?? {}) }, children, text: text.trim() };
}

/** Parses a domain XML; throws DecodeError (field `xml`) when it is not one. */
function parseDomain(xml: string): Node {
  if (Buffer.byteLength(xml, 'utf8') > maxDefinitionBytes) throw new DecodeError(`is larger than ${maxDefinitionBytes} bytes`, 'xml', maxDefinitionBytes);
  if (/<!DOCTYPE|<!ENTITY/i.test(xml)) throw new DecodeError('must not carry a DOCTYPE or entity declarations', 'xml', xml.search(/<!DOCTYPE|<!ENTITY/i));
  const valid = XMLValidator.validate(xml);
  if (valid !== true) throw new DecodeError(`is not well-formed XML: ${valid.err.msg} (line ${valid.err.line})`, 'xml', 0, { details: { line: valid.err.line } });
  const roots = (parser.parse(xml) as Ordered[]).map(toNode).filter((n): n is Node => n !== undefined);
  if (roots.length !== 1 || roots[0]!.name !== 'domain') throw new DecodeError(`must be one <domain> element (found ${roots.map((r) => `<${r.name}>`).join(', ') || 'none'})`, 'xml', 0);
  return roots[0]!;
}

const child = (n: Node, name: string) => n.children.find((c) => c.name === name);

/** The name and uuid a domain XML declares. */
export function readDomainXml(xml: string): { name: string; uuid: string | undefined } {
  const root = parseDomain(xml);
  const name = child(root, 'name')?.text ?? '';
  if (name === '') throw new DecodeError('has no <name>', 'xml', 0);
  const uuid = child(root, 'uuid')?.text;
  return { name, uuid: uuid === undefined || uuid === '' ? undefined : uuid.toLowerCase() };
}

const unitKiB: Record<string, number> = {
  b: 1 / 1024, bytes: 1 / 1024, kb: 1000 / 1024, k: 1, kib: 1, mb: 1e6 / 1024, m: 1024, mib: 1024,
  gb: 1e9 / 1024, g: 1024 ** 2, gib: 1024 ** 2, tb: 1e12 / 1024, t: 1024 ** 3, tib: 1024 ** 3,
};

/** libvirt's order of device kinds in the XML it writes. */
const deviceOrder = [
  'emulator', 'disk', 'controller', 'lease', 'filesystem', 'interface', 'smartcard', 'serial', 'parallel', 'console', 'channel',
  'input', 'tpm', 'graphics', 'sound', 'audio', 'video', 'hostdev', 'redirdev', 'redirfilter', 'hub', 'watchdog', 'memballoon',
  'rng', 'panic', 'shmem', 'memory', 'iommu', 'vsock', 'crypto', 'pstore',
];
const rankOf = (name: string) => {
  const i = deviceOrder.indexOf(name);
  return i === -1 ? deviceOrder.length : i;
};

/** Drops the address and alias libvirt gives a device and anything below it. */
function withoutAddresses(n: Node): Node {
  return { ...n, children: n.children.filter((c) => c.name !== 'address' && c.name !== 'alias').map(withoutAddresses) };
}

function normaliseDevice(d: Node): Node | undefined {
  if (d.name === 'emulator' || d.name === 'controller') return undefined;
  if (d.name === 'input' && d.attrs['bus'] === 'ps2' && (d.attrs['type'] === 'mouse' || d.attrs['type'] === 'keyboard') && d.children.length === 0) return undefined;
  if (d.name === 'audio' && d.attrs['type'] === 'none') return undefined;
  let n = withoutAddresses(d);
  if (n.name === 'audio') n = { ...n, attrs: Object.fromEntries(Object.entries(n.attrs).filter(([k]) => k !== 'id')) };
  if (n.name === 'interface') {
    n = { ...n, children: n.children.filter((c) => !(c.name === 'mac' && /^52:54:00:/i.test(c.attrs['address'] ?? ''))) };
  }
  if (n.name === 'serial') {
    n = {
      ...n,
      children: n.children.map((c) => (c.name === 'target'
        ? { ...c, attrs: Object.fromEntries(Object.entries(c.attrs).filter(([k]) => k !== 'type')), children: c.children.filter((m) => m.name !== 'model') }
        : c)),
    };
  }
  if (n.name === 'console') n = { ...n, children: n.children.filter((c) => c.name !== 'log') };
  return n;
}

function normaliseTop(n: Node): Node | undefined {
  switch (n.name) {
    case 'uuid':
      return undefined;
    case 'memory':
    case 'currentMemory':
    case 'maxMemory': {
      const factor = unitKiB[(n.attrs['unit'] ?? 'KiB').toLowerCase()];
      const value = Number(n.text);
      if (factor === undefined || !Number.isFinite(value)) return n;
      const attrs = { ...n.attrs, unit: 'KiB' };
      return { ...n, attrs, text: String(Math.round(value * factor)) };
    }
    case 'os': {
      const hasKernel = child(n, 'kernel') !== undefined;
      const boots = n.children.filter((c) => c.name === 'boot');
      const lone = hasKernel && boots.length === 1 && boots[0]!.attrs['dev'] === 'hd';
      return {
        ...n,
        children: n.children
          .filter((c) => !(lone && c.name === 'boot'))
          .map((c) => {
            if (c.name !== 'type' || c.attrs['machine'] === undefined) return c;
            const machine = c.attrs['machine'].replace(/^pc-q35-.*$/, 'q35').replace(/^pc-i440fx-.*$/, 'pc');
            return { ...c, attrs: { ...c.attrs, machine } };
          }),
      };
    }
    case 'cpu':
      return { ...n, attrs: Object.fromEntries(Object.entries(n.attrs).filter(([k]) => k !== 'check')) };
    case 'seclabel':
      return n.attrs['type'] === 'dynamic' ? undefined : n;
    case 'resource':
      return n.children.length === 1 && n.children[0]!.name === 'partition' && n.children[0]!.text === '/machine' ? undefined : n;
    case 'devices': {
      const devices = n.children.map(normaliseDevice).filter((d): d is Node => d !== undefined);
      const ordered = devices.map((d, i) => ({ d, i })).sort((a, b) => rankOf(a.d.name) - rankOf(b.d.name) || a.i - b.i).map((x) => x.d);
      return { ...n, children: ordered };
    }
    default:
      return n;
  }
}

function esc(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function serialise(n: Node, depth: number): string {
  const pad = '  '.repeat(depth);
  const attrs = Object.entries(n.attrs)
    .filter(([k]) => k !== 'xmlns' && !k.startsWith('xmlns:'))
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => ` ${k}="${esc(v)}"`)
    .join('');
  if (n.children.length === 0 && n.text === '') return `${pad}<${n.name}${attrs}/>\n`;
  if (n.children.length === 0) return `${pad}<${n.name}${attrs}>${esc(n.text)}</${n.name}>\n`;
  const text = n.text === '' ? '' : `${pad}  ${esc(n.text)}\n`;
  return `${pad}<${n.name}${attrs}>\n${text}${n.children.map((c) => serialise(c, depth + 1)).join('')}${pad}</${n.name}>\n`;
}

/** The canonical form of a domain XML (see the file's comment); throws DecodeError when it is not one. */
export function normaliseDomainXml(xml: string): string {
  const root = parseDomain(xml);
  const top = root.children.map(normaliseTop).filter((c): c is Node => c !== undefined);
  return serialise({ ...root, children: top }, 0);
}

/** The SHA-256 (hex) of a domain XML's canonical form. */
export function definitionHash(xml: string): string {
  return createHash('sha256').update(normaliseDomainXml(xml)).digest('hex');
}
