import { describe, expect, it } from 'vitest';
import { formatDuration, TransferMeter } from './repo-progress.js';

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
});
