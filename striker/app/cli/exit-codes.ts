/**
 * Exit codes (sysexits.h): scripts can tell a bad configuration from a bad argument from an
 * unreachable database.
 */
import type { ErrorCode } from '../../core/errors/index.js';

export const EXIT = { ok: 0, failure: 1, usage: 64, dataErr: 65, unavailable: 69, tempFail: 75, config: 78 } as const;

export function exitCodeFor(code: ErrorCode): number {
  switch (code) {
    case 'CONFIG_INVALID':
      return EXIT.config;
    case 'VALIDATION_FAILED':
    case 'DECODE_FAILED':
      return EXIT.dataErr;
    case 'DATABASE_UNAVAILABLE':
      return EXIT.unavailable;
    case 'DATA_DIR_LOCKED':
      return EXIT.tempFail;
    default:
      return EXIT.failure;
  }
}
