/**
 * The one XML reader for repo metadata (repomd.xml, primary.xml, comps.xml): saxes, a conforming
 * non-validating parser, fed chunk by chunk so a 100 MB primary.xml never sits in memory whole.
 *
 * - saxes reads a DOCTYPE but never expands the entities declared in it, so an entity bomb
 *   ("billion laughs") stops at its first reference as an undefined entity.
 * - The events of a chunk reach the handlers only once saxes has accepted the whole chunk: on a
 *   wrong end tag saxes reports the open element as closed before it reports the error, and a
 *   handler must never act on an element that was not really closed.
 * - A saxes error becomes a DecodeError naming the file, the offset and what was wrong; errors
 *   thrown by handlers (DecodeError, a refused href) pass through unchanged.
 */
import { StringDecoder } from 'node:string_decoder';
import { SaxesParser, type SaxesTagPlain } from 'saxes';
import { DecodeError } from '../../striker/core/errors/index.js';

export interface XmlHandlers {
  /** An element starts; `depth` is 1 for the root. Attributes have their entities decoded. */
  open?(name: string, attributes: Readonly<Record<string, string>>, depth: number): void;
  /** Character data (entities decoded, CDATA included) inside the innermost open element. */
  text?(text: string): void;
  /** An element ends; `depth` is the one it had when it opened. */
  close?(name: string, depth: number): void;
}

type XmlEvent =
  | { kind: 'open'; at: number; name: string; attributes: Record<string, string>; depth: number }
  | { kind: 'text'; at: number; text: string }
  | { kind: 'close'; at: number; name: string; depth: number };

export class XmlReader {
  /** Offset (in characters) of the event being handled, for handlers' own DecodeErrors. */
  offset = 0;
  private readonly parser = new SaxesParser({ xmlns: false, position: true });
  private readonly decoder = new StringDecoder('utf8');
  private events: XmlEvent[] = [];
  private failure: DecodeError | undefined;
  private lastClosed = '';
  private depth = 0;
  private chunk = '';
  private chunkStart = 0;

  constructor(private readonly file: string, private readonly handlers: XmlHandlers) {
    const p = this.parser;
    p.on('opentag', (tag: SaxesTagPlain) => {
      this.depth += 1;
      this.events.push({ kind: 'open', at: p.position, name: tag.name, attributes: tag.attributes, depth: this.depth });
    });
    p.on('text', (text) => { this.events.push({ kind: 'text', at: p.position, text }); });
    p.on('cdata', (text) => { this.events.push({ kind: 'text', at: p.position, text }); });
    p.on('closetag', (tag: SaxesTagPlain) => {
      this.lastClosed = tag.name;
      this.events.push({ kind: 'close', at: p.position, name: tag.name, depth: this.depth });
      this.depth -= 1;
    });
    p.on('error', (error) => { this.failure ??= this.decodeErrorOf(error.message); });
  }

  write(chunk: string | Buffer): void {
    this.feed(typeof chunk === 'string' ? chunk : this.decoder.write(chunk), false);
  }

  /** Ends the document: an unclosed element or a missing root is a DecodeError. */
  end(): void {
    this.feed(this.decoder.end(), true);
  }

  /** Reads a whole document: a string, or chunks of text or UTF-8 bytes. */
  async readAll(source: AsyncIterable<string | Buffer> | string): Promise<void> {
    if (typeof source === 'string') this.write(source);
    else for await (const chunk of source) this.write(chunk);
    this.end();
  }

  private feed(text: string, last: boolean): void {
    this.chunk = text;
    if (text !== '') this.parser.write(text);
    if (last && this.failure === undefined) this.parser.close();
    this.chunkStart += text.length;
    if (this.failure !== undefined) throw this.failure;
    const events = this.events;
    this.events = [];
    const h = this.handlers;
    for (const e of events) {
      this.offset = e.at;
      if (e.kind === 'open') h.open?.(e.name, e.attributes, e.depth);
      else if (e.kind === 'text') h.text?.(e.text);
      else h.close?.(e.name, e.depth);
    }
  }

  /** saxes messages start with "line:column: "; the offset goes into the DecodeError instead. */
  private decodeErrorOf(message: string): DecodeError {
    const at = this.parser.position;
    const [, line, column, what = message] = /^(\d+):(\d+): (.*)$/s.exec(message) ?? [];
    const where = line === undefined ? '' : ` (line ${line}, column ${column})`;
    if (what === 'unexpected close tag.') {
      const closer = /<\/\s*([^\s<>]+)\s*>$/.exec(this.chunk.slice(0, Math.max(0, at - this.chunkStart)))?.[1];
      return new DecodeError(`not well-formed XML: ${closer === undefined ? 'an end tag' : `</${closer}>`} does not close <${this.lastClosed}>${where}`, this.file, at);
    }
    if (what === 'undefined entity.') {
      return new DecodeError(`not well-formed XML: undefined entity${where}; entities declared in a DOCTYPE are never expanded`, this.file, at);
    }
    return new DecodeError(`not well-formed XML: ${what.replace(/\.$/, '')}${where}`, this.file, at);
  }
}
