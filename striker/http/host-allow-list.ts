/**
 * The host names under which browsers may make Striker's public state-changing requests (logging
 * in, first-run setup). A DNS-rebinding page reaches Striker under the attacker's own domain name,
 * so its Host and Origin headers carry that name; refusing names not on this list stops it.
 * `localhost` is always on it. IP literals are always accepted: a rebinding page's origin is its
 * domain name, never an address, and a client outside a browser can send any Host it likes anyway.
 */
import { isIpv4 } from '../core/net/ipv4.js';

const ALWAYS = ['localhost'];

export class HostAllowList {
  private readonly names: ReadonlySet<string>;

  constructor(names: Iterable<string> = []) {
    this.names = new Set([...ALWAYS, ...[...names].map((n) => n.toLowerCase())]);
  }

  /** Whether a Host header value (`name`, `name:port`, `[v6]:port`) names Striker. */
  allowsHost(header: string | undefined): boolean {
    const name = header === undefined ? undefined : hostNameOf(header);
    return name !== undefined && this.allowsName(name);
  }

  /** Whether an Origin header value (`http://name:port`) names Striker. */
  allowsOrigin(origin: string): boolean {
    let url: URL;
    try {
      url = new URL(origin);
    } catch {
      return false;
    }
    return (url.protocol === 'http:' || url.protocol === 'https:') && this.allowsName(url.hostname);
  }

  /** The names on the list, for messages. */
  list(): string[] {
    return [...this.names].sort();
  }

  private allowsName(name: string): boolean {
    return isIpLiteral(name) || this.names.has(name.toLowerCase());
  }
}

/** The host name of a Host header value, or undefined when it is not just a host and port. */
export function hostNameOf(header: string): string | undefined {
  if (header.length === 0 || header.length > 300 || /[/\\?#@\s]/.test(header)) return undefined;
  try {
    return new URL(`http://${header}`).hostname;
  } catch {
    return undefined;
  }
}

function isIpLiteral(hostname: string): boolean {
  return isIpv4(hostname) || (hostname.startsWith('[') && hostname.endsWith(']'));
}
