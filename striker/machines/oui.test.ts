import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { encodeOuiTable, loadOuiTable, OuiTable, parseCsv, parseIeeeCsv, refreshOuiTable } from './oui.js';

const csv = [
  'Registry,Assignment,Organization Name,Organization Address',
  'MA-L,001B21,Intel Corporate,Lot 8 Jalan Hi-Tech 2/3  Kulim Kedah MY 09000 ',
  'MA-L,00D0EF,"IGT, Inc. ""Gaming""",9295 PROTOTYPE DRIVE RENO NV US 89511 ',
  'MA-M,70B3D5A,Block Vendor,Somewhere',
  'MA-S,70B3D5A12,Tiny Vendor,Elsewhere',
  'MA-L,zzzzzz,Not hex,x',
  '',
].join('\r\n');

describe('OUI data', () => {
  it('parses RFC 4180 CSV (quotes, doubled quotes, CRLF)', () => {
    expect(parseCsv('a,"b,c","d""e"\r\nf,,g\n')).toEqual([['a', 'b,c', 'd"e'], ['f', '', 'g']]);
  });

  it('reads IEEE listings and looks vendors up longest block first', () => {
    const entries = parseIeeeCsv(csv);
    expect(entries).toHaveLength(4);
    expect(entries[1]).toEqual({ prefix: '00D0EF', organization: 'IGT, Inc. "Gaming"' });
    const table = OuiTable.decode(encodeOuiTable(entries));
    expect(table.vendorOf('00:1b:21:aa:bb:cc')).toBe('Intel Corporate');
    expect(table.vendorOf('00-D0-EF-00-00-01')).toBe('IGT, Inc. "Gaming"');
    expect(table.vendorOf('70:b3:d5:a1:23:45')).toBe('Tiny Vendor');
    expect(table.vendorOf('70:b3:d5:a9:00:00')).toBe('Block Vendor');
    expect(table.vendorOf('70:b3:d5:b0:00:00')).toBeUndefined();
    expect(table.vendorOf('52:54:00:12:34:56')).toBeUndefined(); // locally administered (QEMU)
    expect(table.vendorOf('not a mac')).toBeUndefined();
  });

  it('refuses a file that is not an IEEE listing', () => {
    expect(() => parseIeeeCsv('mac,vendor\n001122,x\n', 'vendors.csv')).toThrow(/vendors\.csv.*Assignment/);
  });

  it('ships a table built from Debian ieee-data', async () => {
    const table = await loadOuiTable();
    expect(table.size).toBeGreaterThan(30_000);
    expect(table.vendorOf('00:0c:29:01:02:03')).toBe('VMware, Inc.');
    expect(table.vendorOf('00:1b:21:01:02:03')).toBe('Intel Corporate');
  });

  it('refreshes offline from a newer file, and prefers the refreshed table', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'stk-oui-'));
    writeFileSync(join(dir, 'oui.csv'), csv);
    const target = join(dir, 'oui.tsv.gz');
    expect(await refreshOuiTable([join(dir, 'oui.csv')], target)).toEqual({ entries: 4 });
    const table = await loadOuiTable(target);
    expect(table.size).toBe(4);
    expect(table.vendorOf('70:b3:d5:a1:23:45')).toBe('Tiny Vendor');
    expect((await loadOuiTable(join(dir, 'absent.gz'))).size).toBeGreaterThan(30_000);
    writeFileSync(join(dir, 'empty.csv'), 'Registry,Assignment,Organization Name,Organization Address\n');
    await expect(refreshOuiTable([join(dir, 'empty.csv')], target)).rejects.toThrow(/no OUI assignments/);
    expect(readFileSync(target).length).toBeGreaterThan(0);
  });
});
