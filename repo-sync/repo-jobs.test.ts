import { describe, expect, it } from 'vitest';
import { describeDropped } from './repo-jobs.js';

describe('the job message naming dropped entries', () => {
  it('names each entry with its kind and reason, and counts what it leaves out', () => {
    const dropped = [
      { path: 'hostile/e', kind: 'symlink' as const, reason: 'it resolves to /, outside the tree', target: 'b/c/../..' },
      { path: 'hostile/fifo', kind: 'fifo' as const, reason: 'a FIFO is never served' },
      { path: 'hostile/sock', kind: 'socket' as const, reason: 'a socket is never served' },
    ];
    expect(describeDropped(dropped)).toBe('hostile/e (symlink: it resolves to /, outside the tree); hostile/fifo (fifo: a FIFO is never served); hostile/sock (socket: a socket is never served)');
    expect(describeDropped(dropped, 1)).toBe('hostile/e (symlink: it resolves to /, outside the tree); and 2 more');
  });
});
