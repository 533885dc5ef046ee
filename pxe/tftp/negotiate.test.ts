import { describe, expect, it } from 'vitest';
import { negotiate } from './negotiate.js';

const limits = { blksizeMax: 1468, windowsizeMax: 16 };
const req = (...pairs: [string, string][]): Map<string, string> => new Map(pairs);

describe('option negotiation (RFC 2347/2348/2349/7440)', () => {
  it.each([
    { name: 'no options: 512-byte lock-step, no OACK', requested: req(), size: 10, blksize: 512, windowsize: 1, timeoutMs: null, accepted: req() },
    { name: 'blksize within the cap is echoed', requested: req(['blksize', '1024']), size: 10, blksize: 1024, windowsize: 1, timeoutMs: null, accepted: req(['blksize', '1024']) },
    { name: 'blksize above the cap is answered with the cap', requested: req(['blksize', '65464']), size: 10, blksize: 1468, windowsize: 1, timeoutMs: null, accepted: req(['blksize', '1468']) },
    { name: 'blksize below 8 is ignored', requested: req(['blksize', '7']), size: 10, blksize: 512, windowsize: 1, timeoutMs: null, accepted: req() },
    { name: 'blksize above 65464 is ignored', requested: req(['blksize', '65465']), size: 10, blksize: 512, windowsize: 1, timeoutMs: null, accepted: req() },
    { name: 'non-numeric values are ignored', requested: req(['blksize', '1k'], ['windowsize', '-4'], ['timeout', ' 3']), size: 10, blksize: 512, windowsize: 1, timeoutMs: null, accepted: req() },
    { name: 'tsize 0 is answered with the size', requested: req(['tsize', '0']), size: 52428800, blksize: 512, windowsize: 1, timeoutMs: null, accepted: req(['tsize', '52428800']) },
    { name: 'tsize is not acknowledged when the size is unknown', requested: req(['tsize', '0']), size: null, blksize: 512, windowsize: 1, timeoutMs: null, accepted: req() },
    { name: 'timeout 1..255 is echoed', requested: req(['timeout', '3']), size: 1, blksize: 512, windowsize: 1, timeoutMs: 3000, accepted: req(['timeout', '3']) },
    { name: 'timeout 0 and 256 are ignored', requested: req(['timeout', '0']), size: 1, blksize: 512, windowsize: 1, timeoutMs: null, accepted: req() },
    { name: 'windowsize within the cap is echoed', requested: req(['windowsize', '4']), size: 1, blksize: 512, windowsize: 4, timeoutMs: null, accepted: req(['windowsize', '4']) },
    { name: 'windowsize above the cap is answered with the cap', requested: req(['windowsize', '64']), size: 1, blksize: 512, windowsize: 16, timeoutMs: null, accepted: req(['windowsize', '16']) },
    { name: 'windowsize 0 is ignored', requested: req(['windowsize', '0']), size: 1, blksize: 512, windowsize: 1, timeoutMs: null, accepted: req() },
    { name: 'unknown options are ignored', requested: req(['multicast', ''], ['rollover', '0']), size: 1, blksize: 512, windowsize: 1, timeoutMs: null, accepted: req() },
    {
      name: 'all four keep the client order',
      requested: req(['windowsize', '8'], ['tsize', '0'], ['blksize', '1400'], ['timeout', '2']),
      size: 99,
      blksize: 1400,
      windowsize: 8,
      timeoutMs: 2000,
      accepted: req(['windowsize', '8'], ['tsize', '99'], ['blksize', '1400'], ['timeout', '2']),
    },
  ])('$name', ({ requested, size, blksize, windowsize, timeoutMs, accepted }) => {
    const result = negotiate(requested, limits, size);
    expect(result).toEqual({ blksize, windowsize, timeoutMs, accepted });
    expect([...result.accepted.keys()]).toEqual([...accepted.keys()]);
  });

  it.each([
    { blksize: '1468', windowsize: '64', agreed: ['1468', '64'] },
    { blksize: '8192', windowsize: '16', agreed: ['8192', '12'] },
    { blksize: '65464', windowsize: '4', agreed: ['65464', '1'] },
    { blksize: '512', windowsize: '200', agreed: ['512', '64'] },
  ])('caps the window at 96 KiB of payload: blksize $blksize windowsize $windowsize', ({ blksize, windowsize, agreed }) => {
    const result = negotiate(req(['windowsize', windowsize], ['blksize', blksize]), { blksizeMax: 65464, windowsizeMax: 64, windowBytesMax: 96 * 1024 }, 1);
    expect([...result.accepted]).toEqual([['windowsize', agreed[1]], ['blksize', agreed[0]]]);
    expect(result.windowsize).toBe(Number(agreed[1]));
  });
});
