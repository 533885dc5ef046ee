/**
 * Every stable error code, what it means, and its HTTP status. The API maps errors to statuses
 * here and nowhere else; a test checks every code used in the source is listed.
 */
export const errorCodes = {
  CONFIG_INVALID: { status: 500, doc: 'The configuration file or STRIKER_* environment is invalid.' },
  VALIDATION_FAILED: { status: 400, doc: 'The request body, query or arguments are invalid; details.problems lists every problem.' },
  DECODE_FAILED: { status: 400, doc: 'Bytes could not be decoded (a packet, a metadata file).' },
  NOT_FOUND: { status: 404, doc: 'The named object does not exist.' },
  CONFLICT: { status: 409, doc: 'The request conflicts with the current state (duplicate name, job already finished).' },
  UNAUTHENTICATED: { status: 401, doc: 'No valid session or API token was presented.' },
  SESSION_EXPIRED: { status: 401, doc: 'The session existed but has expired; log in again.' },
  FORBIDDEN: { status: 403, doc: 'The caller is authenticated but its role does not allow this.' },
  CSRF_FAILED: { status: 403, doc: 'A state-changing request with a session cookie lacked the matching x-csrf-token header.' },
  LOGIN_FAILED: { status: 401, doc: 'Wrong user name or password, or the user is disabled.' },
  RATE_LIMITED: { status: 429, doc: 'Too many attempts; wait and try again.' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, doc: 'The request body is not in a format this route accepts (send application/json).' },
  SETUP_DONE: { status: 409, doc: 'First-run setup was already completed; log in instead.' },
  PAYLOAD_TOO_LARGE: { status: 413, doc: 'The request body is larger than allowed.' },
  METHOD_NOT_ALLOWED: { status: 405, doc: 'The path exists but does not accept this method.' },
  PRECONDITION_FAILED: { status: 412, doc: 'A precondition (If-Match, If-Unmodified-Since) did not hold; nothing was sent or changed.' },
  RANGE_NOT_SATISFIABLE: { status: 416, doc: 'The requested Range lies beyond the end of the file; Content-Range says its length.' },
  HEADERS_TOO_LARGE: { status: 431, doc: 'The request headers are larger than allowed.' },
  INSUFFICIENT_STORAGE: { status: 507, doc: 'The Striker\'s disk has no room for what was sent (an upload); nothing partial was kept.' },
  COMMAND_FAILED: { status: 502, doc: 'An external command exited non-zero, timed out or could not start.' },
  DATA_DIR_LOCKED: { status: 500, doc: 'Another striker process holds the data directory.' },
  DATABASE_UNAVAILABLE: { status: 503, doc: 'No configured database could be reached.' },
  REPLICATION_NOT_READY: { status: 503, doc: 'The database cannot replicate between Strikers: a PostgreSQL server setting is wrong (named in the message) or this Striker\'s schema is behind a peer\'s.' },
  JOB_CANCELLED: { status: 409, doc: 'The job was cancelled by an operator.' },
  CHECK_FAILED: { status: 409, doc: 'A check found problems (details.problems lists them); the job that ran it failed and is not retried.' },
  REPO_FETCH_FAILED: { status: 502, doc: 'An upstream repository or ISO could not be read (unreachable, HTTP error, not a repo, truncated).' },
  REPO_VERIFY_FAILED: { status: 502, doc: 'A repository file failed verification (checksum, GPG signature, unsafe path); nothing was published.' },
  SECRET_UNREADABLE: { status: 500, doc: 'A stored secret could not be opened (key not held, value changed, or the site keyring file is missing, unreadable or too open).' },
  PEER_UNREACHABLE: { status: 502, doc: 'A peer Striker could not be reached or answered with an error; details name the peer.' },
  INTERNAL: { status: 500, doc: 'An unexpected error; the response carries a request id to find it in the log.' },
} as const satisfies Record<string, { status: number; doc: string }>;

export type ErrorCode = keyof typeof errorCodes;

export function statusForCode(code: ErrorCode): number {
  return errorCodes[code].status;
}
