/**
 * What may go into a boot script. iPXE expands `${…}` and splits on spaces, `||`, `&&`;
 * GRUB's shell-like script language treats quotes, `$`, `;`, `{}` and `#` specially; pxelinux
 * ends a directive at the line's end. Rather than escape for three languages, every value that
 * reaches a script is checked against a conservative character set, and refused (a typed error,
 * never a broken script) when it falls outside it. Pure.
 */
import { ValidationError } from '../../striker/core/errors/index.js';
import { isMac } from '../../striker/core/net/mac.js';

/** http(s), a host name or IPv4 address, an optional port, and a path of URL-safe characters (RFC 3986 §2.3 unreserved plus a few sub-delims); no query, no fragment. */
const URL_PATTERN = /^https?:\/\/[A-Za-z0-9.-]{1,253}(:\d{1,5})?(\/[A-Za-z0-9._~/%+=,:@-]*)?$/;
/** One kernel command-line word: `name` or `name=value` with the same safe characters. */
const ARG_PATTERN = /^[A-Za-z0-9._~/%+=,:@-]{1,1024}$/;
/** RFC 1123 §2.1 host name label, lower case. */
const HOST_LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

export function scriptUrl(url: string, what: string): string {
  if (!URL_PATTERN.test(url)) throw new ValidationError([{ path: what, message: `must be an http(s) URL of unreserved characters with no query — got '${printable(url)}'` }], 'boot script');
  return url;
}

/** A file on Striker's TFTP server in GRUB's device syntax, `(tftp,host[:port])/path`; same character rules as URLs. */
export function grubTftpPath(server: string, path: string, what: string): string {
  const text = `(tftp,${server})/${path.replace(/^\/+/, '')}`;
  if (!/^[A-Za-z0-9.-]{1,253}(:\d{1,5})?$/.test(server) || !/^[A-Za-z0-9._~/%+=,:@-]*$/.test(path)) {
    throw new ValidationError([{ path: what, message: `must be a TFTP server and path of unreserved characters — got '${printable(text)}'` }], 'boot script');
  }
  return text;
}

export function kernelArg(arg: string, what = 'kernel argument'): string {
  if (!ARG_PATTERN.test(arg)) throw new ValidationError([{ path: what, message: `must be one word of A-Z a-z 0-9 . _ ~ / % + = , : @ - — got '${printable(arg)}'` }], 'boot script');
  return arg;
}

export function scriptMac(mac: string): string {
  if (!isMac(mac)) throw new ValidationError([{ path: 'mac', message: `must be a lower-case MAC address like 52:54:00:12:34:56 — got '${printable(mac)}'` }], 'boot script');
  return mac;
}

/** A host name for a title or comment; anything else becomes `(unnamed)`. */
export function scriptHostname(hostname: string | null): string {
  return hostname !== null && HOST_LABEL.test(hostname) ? hostname : '(unnamed)';
}

/** Free text for a comment or message line: only letters, digits, space and `. , : ( ) / -`. */
export function scriptText(text: string): string {
  return text.replace(/[^A-Za-z0-9 .,:()/-]/g, '_').slice(0, 200);
}

function printable(text: string): string {
  return text.replace(/[^\x20-\x7e]/g, '?').slice(0, 120);
}
