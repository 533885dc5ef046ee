/**
 * Line-oriented tool output, refused when it ends mid-line: every tool these parsers read ends its
 * output with a newline, so text that does not was cut short, and its last line could carry a
 * truncated number that still parses (`95.000` cut to `9`).
 */
import { DecodeError } from '../../../striker/core/errors/index.js';

export function completeLines(text: string, what: string): string[] {
  if (text === '') return [];
  if (!text.endsWith('\n')) {
    const lines = text.split('\n');
    throw new DecodeError(`ends mid-line (truncated): '${(lines.at(-1) ?? '').slice(0, 60)}'`, what, lines.length);
  }
  return text.slice(0, -1).split('\n');
}
