/**
 * Reading the XML that pacemaker's tools print (`crm_mon --output-as=xml`, `cibadmin --query`,
 * `crm_simulate --output-as=xml`) into plain elements: a name, its attributes and its children in
 * document order. Malformed or truncated text is a DecodeError naming the line, never a partial
 * reading. Text content is ignored: these formats carry everything in attributes.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { DecodeError } from '../striker/core/errors/index.js';

export interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  children: XmlElement[];
}

/** fast-xml-parser's options for an ordered tree with attributes as plain strings (shared with cluster/servers' domain XML). */
export const orderedXmlOptions = {
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  parseAttributeValue: false,
  parseTagValue: false,
  processEntities: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
  trimValues: true,
} as const;

const parser = new XMLParser(orderedXmlOptions);

type Ordered = Record<string, unknown> & { ':@'?: Record<string, string> };

/** The document's root element. `what` names the source in errors (e.g. `crm_mon output`). */
export function parseXml(text: string, what: string): XmlElement {
  const valid = XMLValidator.validate(text);
  if (valid !== true) {
    throw new DecodeError(`not well-formed XML (line ${valid.err.line}, column ${valid.err.col}): ${valid.err.msg}`, what, valid.err.line, { details: { line: valid.err.line, column: valid.err.col } });
  }
  const roots = toElements(parser.parse(text) as Ordered[]);
  const root = roots[0];
  if (root === undefined || roots.length !== 1) throw new DecodeError(`must have exactly one root element — found ${roots.length}`, what, 0);
  return root;
}

function toElements(nodes: Ordered[]): XmlElement[] {
  const out: XmlElement[] = [];
  for (const node of nodes) {
    const name = Object.keys(node).find((k) => k !== ':@');
    if (name === undefined || name === '#text' || name === '#comment') continue;
    const children = node[name];
    out.push({ name, attrs: { ...(node[':@'] ?? {}) }, children: Array.isArray(children) ? toElements(children as Ordered[]) : [] });
  }
  return out;
}

/** The direct children named `name`. */
export function childrenNamed(el: XmlElement, name: string): XmlElement[] {
  return el.children.filter((c) => c.name === name);
}

/** The first direct child named `name`, if any. */
export function child(el: XmlElement, name: string): XmlElement | undefined {
  return el.children.find((c) => c.name === name);
}

/** Every element named `name` below `el`, depth first, in document order. */
export function descendants(el: XmlElement, name: string): XmlElement[] {
  const out: XmlElement[] = [];
  const walk = (e: XmlElement) => {
    for (const c of e.children) {
      if (c.name === name) out.push(c);
      walk(c);
    }
  };
  walk(el);
  return out;
}
