/**
 * A minimal streaming-free XML tokenizer (XML 1.0 §2–§4 subset): start tags with attributes,
 * end tags, self-closing tags, text, CDATA; skips comments, processing instructions and the
 * doctype. Enough for repodata (repomd.xml, primary.xml, comps.xml), which is machine-written.
 * It checks nesting, so truncated metadata is a DecodeError with the offset, not a silent
 * half-read. Kept inside kickstart/ so the package check does not wait for repo-sync.
 */
import { DecodeError } from '../striker/core/errors/index.js';

export type XmlEvent =
  | { kind: 'open'; name: string; attrs: Record<string, string>; selfClosing: boolean }
  | { kind: 'close'; name: string }
  | { kind: 'text'; text: string };

const token = /<!\[CDATA\[([\s\S]*?)\]\]>|<!--[\s\S]*?-->|<\?[\s\S]*?\?>|<!DOCTYPE[^>]*>|<\/([^\s>]+)\s*>|<([^\s/>]+)((?:\s+[^\s=/>]+\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*(\/?)>|([^<]+)/gy;
const attr = /([^\s=]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g;
const entity = /&(lt|gt|amp|quot|apos|#\d+|#x[0-9a-fA-F]+);/g;

export function decodeEntities(text: string): string {
  if (!text.includes('&')) return text;
  return text.replace(entity, (_m, e: string) => {
    switch (e) {
      case 'lt': return '<';
      case 'gt': return '>';
      case 'amp': return '&';
      case 'quot': return '"';
      case 'apos': return "'";
      default: {
        const cp = e[1] === 'x' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
        return cp <= 0x10ffff ? String.fromCodePoint(cp) : '\ufffd';
      }
    }
  });
}

/** Calls `visit` for each event in document order; throws DecodeError on malformed input. */
export function scanXml(xml: string, what: string, visit: (event: XmlEvent) => void): void {
  const stack: string[] = [];
  token.lastIndex = 0;
  while (token.lastIndex < xml.length) {
    const at = token.lastIndex;
    const m = token.exec(xml);
    if (m === null) throw new DecodeError('not well-formed XML', what, at);
    const [, cdata, closeName, openName, attrText, selfClose, text] = m;
    if (cdata !== undefined) visit({ kind: 'text', text: cdata });
    else if (closeName !== undefined) {
      const open = stack.pop();
      if (open !== closeName) throw new DecodeError(`</${closeName}> does not close <${open ?? '(nothing)'}>`, what, at);
      visit({ kind: 'close', name: closeName });
    } else if (openName !== undefined) {
      const attrs: Record<string, string> = {};
      for (const a of (attrText ?? '').matchAll(attr)) attrs[a[1] as string] = decodeEntities(a[2] ?? a[3] ?? '');
      const selfClosing = selfClose === '/';
      visit({ kind: 'open', name: openName, attrs, selfClosing });
      if (selfClosing) visit({ kind: 'close', name: openName });
      else stack.push(openName);
    } else if (text !== undefined) visit({ kind: 'text', text: decodeEntities(text) });
  }
  if (stack.length > 0) throw new DecodeError(`document ends inside <${stack.at(-1) as string}>`, what, xml.length);
}
