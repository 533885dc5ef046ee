/**
 * Redaction for log objects: kickstart work handles root password hashes, registration tokens and
 * URL signatures, none of which may reach a log. `redactSecrets` walks a value and replaces
 * secret-named keys, SHA-512 crypt strings, `srt_` tokens and URL signatures (`sig=` query values and `/ks/<host>/<exp>.<sig>.ks` paths). Use it on any
 * object built from kickstart data before logging; `kickstartLogRedactPaths` is for pino's own
 * `redact` option on the root logger.
 */
const secretKey = /pass(word|wd)?|hash|token|secret|^sig$|signature|authorization|cookie|credential|^key$|kickstart$/i;
const cryptHash = /\$6\$[^\s'"]*/g;
const plainToken = /srt_[A-Za-z0-9_-]+/g;
const signatureParam = /([?&]sig=)[^&\s'"]*/g;
const signaturePath = /(\/ks\/[^/\s]+\/\d+\.)[A-Za-z0-9_-]+(\.ks)/g;

export const REDACTED = '[redacted]';

export function redactString(text: string): string {
  return text.replace(cryptHash, REDACTED).replace(plainToken, REDACTED).replace(signatureParam, `$1${REDACTED}`).replace(signaturePath, `$1${REDACTED}$2`);
}

export function redactSecrets(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return redactString(value);
  if (value === null || typeof value !== 'object' || depth > 8) return value;
  if (Array.isArray(value)) return value.map((v) => redactSecrets(v, depth + 1));
  if (value instanceof Date) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    out[k] = secretKey.test(k) && v !== undefined && v !== null ? REDACTED : redactSecrets(v, depth + 1);
  }
  return out;
}

/** Paths for pino's `redact` option (fast-redact syntax). */
export const kickstartLogRedactPaths: readonly string[] = [
  'rootPasswordHash', '*.rootPasswordHash', 'token', '*.token', 'registration.token',
  'req.query.sig', 'query.sig', 'req.headers.authorization', 'req.headers.cookie',
];
