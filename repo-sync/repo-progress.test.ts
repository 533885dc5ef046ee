import { describe, expect, it } from 'vitest';
import { DownloadTally, formatDuration, TransferMeter } from './repo-progress.js';

describe('TransferMeter', () => {
  it('maps phases onto the bar and computes rate and time left', () => {
    const m = new TransferMeter();
    expect(m.report({ phase: 'metadata', filesDone: 0, filesTotal: 0, bytesDone: 0, bytesTotal: 0, message: 'reading repomd.xml' }, 0)).toMatchObject({ percent: 0, vars: { detail: 'reading repomd.xml' } });
    m.report({ phase: 'download', filesDone: 0, filesTotal: 10, bytesDone: 0, bytesTotal: 100e6, message: '' }, 1000);
    const mid = m.report({ phase: 'download', filesDone: 5, filesTotal: 10, bytesDone: 50e6, bytesTotal: 100e6, message: '' }, 6000);
    expect(mid.percent).toBe(46);
    expect(mid.vars).toMatchObject({ files: 5, filesTotal: 10, rate: '10.0', eta: '5 s', mb: '50.0' });
    expect(m.report({ phase: 'publish', filesDone: 1, filesTotal: 1, bytesDone: 0, bytesTotal: 0, message: 'createrepo_c' }, 7000).percent).toBe(99);
  });

  it('never reports more than 99 or less than 0 on odd input', () => {
    const m = new TransferMeter();
    expect(m.report({ phase: 'download', filesDone: 20, filesTotal: 10, bytesDone: 500, bytesTotal: 100, message: '' }, 0).percent).toBe(85);
    expect(m.report({ phase: 'done', filesDone: 0, filesTotal: 0, bytesDone: -5, bytesTotal: 0, message: '' }, 0).percent).toBe(99);
  });

  it('formats durations in plain words', () => {
    expect([formatDuration(5), formatDuration(125), formatDuration(7300)]).toEqual(['5 s', '2 min 5 s', '2 h 1 min']);
  });

  it('continues a resumed download where the last run stopped: bar and text from the same figures', () => {
    const MB = 1e6;
    // First run: 10 packages of 15.73 MB; six finished and 3 MB of the seventh arrived before it stopped.
    const first = new DownloadTally({ files: 10, bytes: 157.3 * MB }, { files: 0, bytes: 0 });
    for (let i = 0; i < 7; i++) first.begin(`p${i}`, 15.73 * MB);
    for (let i = 0; i < 6; i++) { first.add(`p${i}`, 15.73 * MB); first.finish(`p${i}`); }
    first.add('p6', 3 * MB);
    const before = new TransferMeter().report({ phase: 'download', message: '', ...first.progress() }, 0);
    // The resumed run: six are in the store, the seventh's partial file holds 3 MB.
    const resumed = new DownloadTally({ files: 10, bytes: 157.3 * MB }, { files: 6, bytes: 6 * 15.73 * MB });
    resumed.begin('p6', 15.73 * MB, 3 * MB);
    const meter = new TransferMeter();
    const after = meter.report({ phase: 'download', message: '', ...resumed.progress() }, 0);
    expect(after.percent).toBe(before.percent);
    expect(after.vars).toMatchObject({ files: 6, filesTotal: 10, mb: '97.4', mbTotal: '157.3' });
    // The percent is the text's figures on the download band (8–85).
    expect(after.percent).toBe(Math.floor(8 + 77 * (97.38 / 157.3)));
    // A file never counts for more than its size, even when a source sends it again.
    resumed.add('p6', 100 * MB);
    resumed.finish('p6');
    expect(resumed.progress()).toEqual({ filesDone: 7, filesTotal: 10, bytesDone: 7 * 15.73 * MB, bytesTotal: 157.3 * MB });
  });
});
