/**
 * 60,000 packages (a RHEL AppStream-sized primary.xml, ~100 MB of XML) stream through parsePrimary
 * without the document ever being held in memory: heap growth stays far below the document size.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { parsePrimary } from './primary.js';

function packageXml(i: number): string {
  const sha = createHash('sha256').update(String(i)).digest('hex');
  const deps = Array.from({ length: 12 }, (_, k) => `<rpm:entry name="lib${(i + k) % 5000}.so.${k}()(64bit)"/>`).join('');
  return `<package type="rpm"><name>pkg${i}</name><arch>x86_64</arch><version epoch="0" ver="1.${i % 97}" rel="3.el9"/><checksum type="sha256" pkgid="YES">${sha}</checksum>`
    + `<summary>generated package ${i} with a summary long enough to look real</summary><description>${'A description line. '.repeat(40)}</description>`
    + `<packager>Builder</packager><url>https://example.invalid/${i}</url><time file="1700000000" build="1700000000"/><size package="${1000 + i}" installed="4000" archive="4100"/>`
    + `<location href="Packages/p/pkg${i}-1.${i % 97}-3.el9.x86_64.rpm"/><format><rpm:license>MIT</rpm:license><rpm:provides><rpm:entry name="pkg${i}" flags="EQ" epoch="0" ver="1" rel="3.el9"/></rpm:provides>`
    + `<rpm:requires>${deps}</rpm:requires><file>/usr/bin/pkg${i}</file></format></package>\n`;
}

describe('parsePrimary memory', () => {
  it('parses 60,000 packages (~100 MB) with bounded heap growth', async () => {
    const total = 60_000;
    let bytes = 0;
    async function* source(): AsyncGenerator<Buffer> {
      yield Buffer.from(`<?xml version="1.0" encoding="UTF-8"?>\n<metadata xmlns="http://linux.duke.edu/metadata/common" xmlns:rpm="http://linux.duke.edu/metadata/rpm" packages="${total}">\n`);
      let chunk = '';
      for (let i = 0; i < total; i++) {
        chunk += packageXml(i);
        if (chunk.length > 64 * 1024) { bytes += chunk.length; yield Buffer.from(chunk); chunk = ''; }
      }
      bytes += chunk.length;
      yield Buffer.from(`${chunk}</metadata>\n`);
    }
    globalThis.gc?.();
    const before = process.memoryUsage().heapUsed;
    let peak = 0;
    let count = 0;
    let requires = 0;
    for await (const p of parsePrimary(source())) {
      count += 1;
      requires += p.requires.length;
      if (count % 5000 === 0) peak = Math.max(peak, process.memoryUsage().heapUsed - before);
    }
    expect(count).toBe(total);
    expect(requires).toBe(total * 12);
    expect(bytes).toBeGreaterThan(90_000_000);
    expect(peak).toBeLessThan(bytes / 4);
  });
});
