/**
 * The copy plan, table-driven: what a Striker does about each file's bytes from what its database
 * and its disk say.
 */
import { describe, expect, it } from 'vitest';
import { planCopies, type CopyFacts } from './copy-plan.js';
import type { CopyView } from './file-copies-store.js';

const now = new Date('2026-12-06T12:00:00Z');
const ID = ['00000000-0000-4000-8000-000000000001', '00000000-0000-4000-8000-000000000002', '00000000-0000-4000-8000-000000000003'] as const;
const file = (id: string, over: Partial<CopyView> = {}): CopyView => ({ id, name: 'x.iso', sizeBytes: 100, sha256: 'a'.repeat(64), own: undefined, holders: [], ...over });
const facts = (over: Partial<CopyFacts>): CopyFacts => ({ files: [], openUploads: new Set(), onDisk: new Map(), directories: [], peers: [], busy: new Set(), now, retryAfterMs: 60_000, ...over });
const kinds = (f: CopyFacts) => planCopies(f).map((a) => (a.kind === 'remove' ? `remove ${a.id}` : a.kind === 'fetch' ? `fetch ${a.file.id} from ${a.sources.join(',')}` : `${a.kind} ${a.file.id}`));

describe('planCopies', () => {
  it.each<[string, Partial<CopyFacts>, string[]]>([
    ['held and on disk: nothing', { files: [file(ID[0], { own: { state: 'held', updatedAt: now } })], onDisk: new Map([[ID[0], 100]]), peers: ['p1'] }, []],
    ['on disk, not recorded: checked', { files: [file(ID[0])], onDisk: new Map([[ID[0], 100]]) }, [`verify ${ID[0]}`]],
    ['missing: fetched from holders first, then the other peers', { files: [file(ID[0], { holders: ['p2', 'gone'] })], peers: ['p1', 'p2', 'p3'] }, [`fetch ${ID[0]} from p2,p1,p3`]],
    ['held but lost from the disk: fetched again', { files: [file(ID[0], { own: { state: 'held', updatedAt: now }, holders: ['p1'] })], onDisk: new Map([[ID[0], 7]]), peers: ['p1'] }, [`fetch ${ID[0]} from p1`]],
    ['missing and no peer: said so', { files: [file(ID[0])] }, [`no-source ${ID[0]}`]],
    ['failed a moment ago: waits', { files: [file(ID[0], { own: { state: 'failed', updatedAt: new Date(now.getTime() - 1000) } })], peers: ['p1'] }, []],
    ['failed long ago: tried again', { files: [file(ID[0], { own: { state: 'failed', updatedAt: new Date(now.getTime() - 120_000) } })], peers: ['p1'] }, [`fetch ${ID[0]} from p1`]],
    ['fetching in this process: left alone', { files: [file(ID[0], { own: { state: 'fetching', updatedAt: now } })], busy: new Set([ID[0]]), peers: ['p1'] }, []],
    ['fetching left by a stopped process: resumed', { files: [file(ID[0], { own: { state: 'fetching', updatedAt: now } })], peers: ['p1'] }, [`fetch ${ID[0]} from p1`]],
    ['a directory of a removed file: removed; an open upload\'s and a file\'s kept', {
      files: [file(ID[0], { own: { state: 'held', updatedAt: now } })], onDisk: new Map([[ID[0], 100]]), directories: [ID[0], ID[1], ID[2]], openUploads: new Set([ID[2]]),
    }, [`remove ${ID[1]}`]],
  ])('%s', (_what, over, expected) => {
    expect(kinds(facts(over))).toEqual(expected);
  });
});
