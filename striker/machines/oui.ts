/**
 * Network card vendors by MAC prefix, from the IEEE Registration Authority's public listings
 * (MA-L 24-bit OUIs, MA-M 28-bit and MA-S 36-bit blocks; IEEE Std 802-2014 §8.2). Striker ships
 * an extract (striker/machines/data/oui.tsv.gz, built from Debian's `ieee-data` oui.csv) and can be
 * refreshed offline from a newer oui.csv / mam.csv / oui36.csv file; nothing is downloaded.
 *
 * Table format (one line per block, sorted): upper-case hex prefix (6, 7 or 9 digits), TAB,
 * organization name. Parsing and lookup are pure; loading and refreshing are the adapters below.
 */
import { existsSync } from 'node:fs';
import { readFile, rename, writeFile } from 'node:fs/promises';
import { gunzipSync, gzipSync } from 'node:zlib';
import { ValidationError } from '../core/errors/index.js';
import { normalizeMac } from '../core/net/mac.js';

/** Next to the source, or (when running from dist/) in the source tree. */
const SHIPPED_CANDIDATES = [new URL('./data/oui.tsv.gz', import.meta.url), new URL('../../../striker/machines/data/oui.tsv.gz', import.meta.url)];
export const SHIPPED_OUI_FILE = SHIPPED_CANDIDATES.find((u) => existsSync(u)) ?? SHIPPED_CANDIDATES[0]!;

export interface OuiEntry {
  /** Upper-case hex, 6 (MA-L), 7 (MA-M) or 9 (MA-S) digits. */
  prefix: string;
  organization: string;
}

/** RFC 4180 records (quoted fields with commas, doubled quotes, CRLF or LF). */
export function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let field = '';
  let record: string[] = [];
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"' && field === '') quoted = true;
    else if (c === ',') {
      record.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      record.push(field);
      records.push(record);
      record = [];
      field = '';
    } else field += c;
  }
  if (field !== '' || record.length > 0) {
    record.push(field);
    records.push(record);
  }
  return records;
}

/** Entries of an IEEE listing (`Registry,Assignment,Organization Name,Organization Address`). */
export function parseIeeeCsv(text: string, source = 'IEEE csv'): OuiEntry[] {
  const [header, ...rows] = parseCsv(text.replace(/^\uFEFF/, ''));
  const col = (name: string): number => header?.findIndex((h) => h.trim() === name) ?? -1;
  const assignment = col('Assignment');
  const organization = col('Organization Name');
  if (assignment < 0 || organization < 0) {
    throw new ValidationError([{ path: source, message: `must be an IEEE registry CSV with Assignment and Organization Name columns — got header '${(header ?? []).join(',').slice(0, 100)}'` }], 'OUI data');
  }
  const entries: OuiEntry[] = [];
  for (const row of rows) {
    const prefix = (row[assignment] ?? '').trim().toUpperCase();
    const name = (row[organization] ?? '').replace(/[\t\r\n]+/g, ' ').trim();
    if (/^[0-9A-F]{6}$|^[0-9A-F]{7}$|^[0-9A-F]{9}$/.test(prefix) && name !== '') entries.push({ prefix, organization: name });
  }
  return entries;
}

export function encodeOuiTable(entries: readonly OuiEntry[]): string {
  return [...entries].sort((a, b) => (a.prefix < b.prefix ? -1 : a.prefix > b.prefix ? 1 : 0)).map((e) => `${e.prefix}\t${e.organization}\n`).join('');
}

export class OuiTable {
  private readonly byPrefix = new Map<string, string>();

  constructor(entries: Iterable<OuiEntry>) {
    for (const e of entries) this.byPrefix.set(e.prefix, e.organization);
  }

  static decode(tsv: string): OuiTable {
    const entries: OuiEntry[] = [];
    for (const line of tsv.split('\n')) {
      const tab = line.indexOf('\t');
      if (tab > 0) entries.push({ prefix: line.slice(0, tab), organization: line.slice(tab + 1) });
    }
    return new OuiTable(entries);
  }

  get size(): number {
    return this.byPrefix.size;
  }

  /**
   * The vendor of `mac` (any spelling core/net/mac.ts accepts), longest block first.
   * Locally administered addresses (bit 1 of the first octet, IEEE 802 §8.2.2) have no vendor.
   */
  vendorOf(mac: string): string | undefined {
    const canonical = normalizeMac(mac);
    if (canonical === undefined) return undefined;
    const hex = canonical.replaceAll(':', '').toUpperCase();
    if ((parseInt(hex.slice(0, 2), 16) & 0x02) !== 0) return undefined;
    return this.byPrefix.get(hex.slice(0, 9)) ?? this.byPrefix.get(hex.slice(0, 7)) ?? this.byPrefix.get(hex.slice(0, 6));
  }
}

/** The refreshed table at `path` when there is one, else the table shipped with Striker. */
export async function loadOuiTable(path?: string): Promise<OuiTable> {
  if (path !== undefined) {
    try {
      return OuiTable.decode(gunzipSync(await readFile(path)).toString('utf8'));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
  return OuiTable.decode(gunzipSync(await readFile(SHIPPED_OUI_FILE)).toString('utf8'));
}

/**
 * Replaces the table at `target` with the entries of the IEEE CSV files `sources` (e.g. a newer
 * /usr/share/ieee-data/oui.csv, mam.csv, oui36.csv copied onto the appliance). Written beside the
 * target and renamed over it, so a reader sees the old table or the new one.
 */
export async function refreshOuiTable(sources: readonly string[], target: string): Promise<{ entries: number }> {
  const entries: OuiEntry[] = [];
  for (const source of sources) entries.push(...parseIeeeCsv(await readFile(source, 'utf8'), source));
  if (entries.length === 0) throw new ValidationError([{ path: sources.join(', '), message: 'holds no OUI assignments' }], 'OUI data');
  const temporary = `${target}.tmp-${process.pid}`;
  await writeFile(temporary, gzipSync(encodeOuiTable(entries), { level: 9 }));
  await rename(temporary, target);
  return { entries: entries.length };
}
