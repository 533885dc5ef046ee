import { describe, expect, it } from 'vitest';
import { createLogger } from './log.js';

function capture(redactPaths?: readonly string[]) {
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger({ level: 'info', ...(redactPaths ? { redactPaths } : {}), destination: { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) } });
  return { logger, lines };
}

describe('createLogger', () => {
  it('censors credentials in request headers and password fields', () => {
    const { logger, lines } = capture();
    logger.info({ req: { headers: { authorization: 'Bearer srt_abc', cookie: 'striker_session=s3cret', host: 'x' } }, user: { password: 'hunter2', name: 'ann' } }, 'request');
    expect(lines[0]).toMatchObject({ msg: 'request', req: { headers: { authorization: '[redacted]', cookie: '[redacted]', host: 'x' } }, user: { password: '[redacted]', name: 'ann' } });
  });

  it('censors the paths an area adds, and keeps the level', () => {
    const { logger, lines } = capture(['rootPasswordHash', '*.token']);
    logger.debug({ rootPasswordHash: '$6$x' }, 'not logged at info');
    logger.warn({ rootPasswordHash: '$6$x', registration: { token: 'srt_t', hostId: 'h' } }, 'kept');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 40, rootPasswordHash: '[redacted]', registration: { token: '[redacted]', hostId: 'h' } });
  });
});
