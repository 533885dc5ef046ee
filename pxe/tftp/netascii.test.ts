import { describe, expect, it } from 'vitest';
import { bufferFile } from './file-source.js';
import { netasciiFile, netasciiSize, toNetascii } from './netascii.js';

describe('netascii (RFC 764, RFC 1350 §5)', () => {
  it.each([
    ['plain', 'abc', 'abc'],
    ['LF becomes CR LF', 'a\nb\n', 'a\r\nb\r\n'],
    ['bare CR becomes CR NUL', 'a\rb', 'a\r\0b'],
    ['CR LF becomes CR NUL CR LF', 'a\r\n', 'a\r\0\r\n'],
    ['empty', '', ''],
  ])('%s', (_name, input, output) => {
    expect(toNetascii(Buffer.from(input, 'latin1')).toString('latin1')).toBe(output);
  });

  it('streams the converted bytes in blocks, with the exact size up front', async () => {
    const text = Buffer.from('line one\nline two\r\n'.repeat(10_000) + 'tail', 'latin1');
    const expected = toNetascii(text);
    expect(await netasciiSize(bufferFile(text))).toBe(expected.length);
    const file = await netasciiFile(bufferFile(text));
    expect(file.size).toBe(expected.length);
    const blocks: Buffer[] = [];
    for (let position = 0; position < file.size; ) {
      const targets = [Buffer.alloc(512), Buffer.alloc(512), Buffer.alloc(512)];
      const n = await file.read(targets, position);
      blocks.push(Buffer.concat(targets).subarray(0, n));
      position += n;
    }
    expect(Buffer.concat(blocks).equals(expected)).toBe(true);
    await expect(file.read([Buffer.alloc(8)], 0)).rejects.toThrow(/forward only/);
  });
});
